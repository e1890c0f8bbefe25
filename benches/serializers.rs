//! Encode and decode of typical batches in JSON and MessagePack, and their frame sizes:
//! a DeviceList with many devices (what a client gets on connecting), and a burst of OutputCmds
//! (what a game sends while playing).
//!
//! `cargo bench --bench serializers`; the sizes are printed before the timings.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use plugwire::core::Outgoing;
use plugwire::core::Serializer;
use plugwire::core::link::decode_inbound;
use plugwire::core::message::{
    AnyClientMessage, ClientMessage, DeviceFeature, DeviceInfo, DeviceList, IdOnly, InputCommand,
    InputLimits, InputType, Lenient, OutputCmd, OutputCommand, OutputLimits, OutputType, Range,
    ServerMessage,
};
use plugwire::core::message::{SharedDeviceList, SpecVersion, VersionedServerMessage};
use plugwire::devices::DeviceManager;
use plugwire::devices::simulated::{SimulatedDevice, SimulatedKind};
use plugwire::json::JsonSerializer;
use plugwire::msgpack::MsgpackSerializer;

fn device(index: u32) -> DeviceInfo {
    let vibrate = |i: u32, name: &str| DeviceFeature {
        feature_index: i,
        feature_description: name.to_owned(),
        output: BTreeMap::from([(
            OutputType::Vibrate,
            OutputLimits {
                value: Range::new(0, 20),
                duration: None,
            },
        )]),
        input: BTreeMap::new(),
    };
    let battery = DeviceFeature {
        feature_index: 2,
        feature_description: "Battery".to_owned(),
        output: BTreeMap::new(),
        input: BTreeMap::from([(
            InputType::Battery,
            InputLimits {
                value: vec![Range::new(0, 100)],
                command: vec![InputCommand::Read, InputCommand::Subscribe],
            },
        )]),
    };
    DeviceInfo {
        device_index: index,
        device_name: format!("Test Vibrator {index}"),
        device_display_name: None,
        device_message_timing_gap: 50,
        device_features: BTreeMap::from([
            (0, vibrate(0, "Clitoral Stimulator")),
            (1, vibrate(1, "Insertable Vibrator")),
            (2, battery),
        ]),
    }
}

fn device_list(devices: u32) -> Vec<ServerMessage> {
    vec![ServerMessage::DeviceList(DeviceList {
        id: 1,
        devices: (0..devices).map(|i| (i, device(i))).collect(),
    })]
}

fn output_burst(commands: u32) -> Vec<ClientMessage> {
    (1..=commands)
        .map(|id| {
            ClientMessage::OutputCmd(OutputCmd {
                id,
                device_index: id % 4,
                feature_index: id % 2,
                command: OutputCommand::new(
                    OutputType::Vibrate,
                    i32::try_from(id % 21).unwrap_or(0),
                ),
            })
        })
        .collect()
}

fn bench_serializer<S: Serializer>(c: &mut Criterion, serializer: S) {
    let name = serializer.name();
    let list = device_list(64);
    let burst = output_burst(100);
    let list_frame = serializer.encode(&list).expect("encode");
    let burst_frame = serializer.encode(&burst).expect("encode");
    println!(
        "frame size, {name}: DeviceList of 64 devices = {} bytes; 100 OutputCmds = {} bytes",
        list_frame.len(),
        burst_frame.len()
    );

    let mut group = c.benchmark_group(format!("serializer/{name}"));
    group.bench_function("encode DeviceList x64", |b| {
        b.iter(|| serializer.encode(black_box(&list)).expect("encode"))
    });
    group.bench_function("decode DeviceList x64", |b| {
        b.iter(|| {
            serializer
                .decode::<ServerMessage>(black_box(&list_frame))
                .into_result()
                .expect("decode")
        })
    });
    group.bench_function("encode OutputCmd x100", |b| {
        b.iter(|| serializer.encode(black_box(&burst)).expect("encode"))
    });
    // As the server decodes a well-formed frame: typed, across all spec versions.
    group.bench_function("decode OutputCmd x100", |b| {
        b.iter(|| {
            decode_inbound::<_, AnyClientMessage>(&serializer, black_box(&burst_frame))
                .into_result()
                .expect("decode")
        })
    });
    // What most frames of a busy session are: one request holding only its Id.
    let request = serializer
        .encode(&[ClientMessage::RequestDeviceList(IdOnly { id: 4_711 })])
        .expect("encode");
    group.bench_function("decode RequestDeviceList", |b| {
        b.iter(|| {
            decode_inbound::<_, AnyClientMessage>(&serializer, black_box(&request))
                .into_result()
                .expect("decode")
        })
    });
    // A server's reply to it: the shared device list with the request's Id spliced in.
    let devices = std::sync::Arc::new(DeviceManager::new());
    for kind in SimulatedKind::ALL {
        SimulatedDevice::add_to(&devices, kind);
    }
    let snapshot = devices.device_list(SpecVersion::V4);
    let reply = [VersionedServerMessage::SharedDeviceList(
        SharedDeviceList::new(4_711, snapshot.list, snapshot.templates),
    )];
    group.bench_function("encode DeviceList reply from its template", |b| {
        b.iter(|| {
            VersionedServerMessage::encode_batch(&serializer, black_box(&reply)).expect("encode")
        })
    });
    // The slow path a frame with a bad message takes: each message buffered on its own.
    group.bench_function("decode OutputCmd x100 one by one", |b| {
        b.iter(|| {
            serializer
                .decode::<Lenient<AnyClientMessage>>(black_box(&burst_frame))
                .into_result()
                .expect("decode")
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    bench_serializer(c, JsonSerializer);
    bench_serializer(c, MsgpackSerializer);
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
