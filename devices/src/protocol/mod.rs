//! Device protocols: how a model is identified and initialised, how output values become
//! hardware writes, and how input readings are read. Protocols only see the [`Hardware`] seam.

mod activejoy;
mod adrienlastic;
mod amorelie_joy;
mod aneros;
mod ankni;
mod bananasome;
mod cachito;
mod cipher;
mod cowgirl;
mod cowgirl_cone;
mod cueme;
mod cupido;
mod deepsire;
mod feelingso;
mod fleshy_thrust;
mod fluffer;
mod fmachine;
mod foreo;
mod fox;
mod fredorch;
mod fredorch_rotary;
mod galaku;
mod galaku_pump;
mod hgod;
mod hismith;
mod hismith_mini;
mod honeyplaybox;
mod htk_bm;
mod itoys;
mod jejoue;
mod joyhub;
mod kgoal_boost;
mod kiiroo_powershot;
mod kiiroo_prowand;
mod kiiroo_spot;
mod kiiroo_spot_v2;
mod kiiroo_v1;
mod kiiroo_v2;
mod kiiroo_v21;
mod kiiroo_v21_initialized;
mod kiiroo_v2_vibrator;
mod kiiroo_v3;
mod kizuna;
mod lelo_f1s;
mod lelo_f1sv2;
mod lelo_harmony;
mod leten;
mod libo_elle;
mod libo_shark;
mod libo_vibes;
mod lioness;
mod loob;
mod lovedistance;
mod lovehoney_desire;
mod lovense;
mod lovenuts;
mod luvmazer;
mod magic_motion_1;
mod magic_motion_2;
mod magic_motion_3;
mod magic_motion_4;
mod mannuo;
mod maxpro;
mod meese;
mod mizzzee;
mod mizzzee_v2;
mod mizzzee_v3;
mod monsterpub;
mod motorbunny;
mod mymuselinkplus;
mod mysteryvibe;
mod mysteryvibe_v2;
mod nextlevelracing;
mod nexus_revo;
mod nobra;
mod omobo;
mod ossm;
mod packet;
mod patoo;
mod picobong;
mod pink_punch;
mod prettylove;
mod realov;
mod sakuraneko;
mod satisfyer;
mod sensee;
mod sensee_v2;
mod serveu;
mod sexverse_lg389;
mod sexverse_v1;
mod sexverse_v2;
mod sexverse_v3;
mod sexverse_v4;
mod sexverse_v5;
mod sexverse_v6;
mod svakom_alex;
mod svakom_alex_v2;
mod svakom_avaneo;
mod svakom_barnard;
mod svakom_barney;
mod svakom_dice;
mod svakom_dt250a;
mod svakom_fatima;
mod svakom_iker;
mod svakom_jordan;
mod svakom_pulse;
mod svakom_sam;
mod svakom_sam2;
mod svakom_suitcase;
mod svakom_tarax;
mod svakom_v1;
mod svakom_v2;
mod svakom_v3;
mod svakom_v4;
mod svakom_v5;
mod svakom_v6;
mod synchro;
mod tcode_v03;
mod thehandy;
mod thehandy_v3;
mod tryfun;
mod tryfun_blackhole;
mod tryfun_meta2;
mod umove;
mod utimi;
mod vibcrafter;
mod vibio;
mod vibratissimo;
mod vorze_cyclone_x;
mod vorze_sa;
mod wetoy;
mod wevibe;
mod wevibe_8bit;
mod wevibe_chorus;
mod xibao;
mod xiuxiuda;
mod xuanhuan;
mod yiciyuan;
mod youcups;
mod youou;
mod zalo;

#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use plugwire_core::message::{InputReadingValue, InputType, OutputCommand, OutputType, Range};
use tokio::sync::broadcast;

use super::config::DeviceDefinition;
use super::hardware::{Endpoint, Hardware, HardwareError, HardwareWrite, Notification};
use super::scheduler::{DeviceDriver, OutputState};

pub use kiiroo_v2::launch_speed;
pub use lovense::{battery_level, model_code, model_from_name};
use packet::{battery_only, byte_reading};

/// How long a device may take to answer a read.
pub const READ_TIMEOUT: Duration = Duration::from_millis(500);

/// One device family's protocol.
pub trait Protocol: Send + 'static {
    /// Asks the device which model it is, for protocols whose devices say so themselves
    /// (Lovense). `None`: the advertised name identifies it.
    fn identify<'a>(
        &'a mut self,
        _hardware: &'a dyn Hardware,
    ) -> BoxFuture<'a, Result<Option<String>, HardwareError>> {
        Box::pin(async { Ok(None) })
    }

    /// The database protocol the device turned out to belong to, when [`Protocol::identify`]
    /// found it is not the one that claimed it (a device advertising an old Hismith name whose
    /// model id is of the newer `hismith-mini` line). Its model is then looked up under that
    /// protocol, and that protocol's implementation, configured and initialised in this one's
    /// place, drives it. `None`: the claiming protocol.
    fn identified_protocol(&self) -> Option<&'static str> {
        None
    }

    /// Learns the model (its features and protocol variant, from the device configuration),
    /// for protocols whose packets depend on how many motors a model has.
    fn configure(&mut self, _model: &DeviceDefinition) {}

    /// Writes the device needs once connected and identified.
    fn initialize(&mut self) -> Vec<HardwareWrite> {
        Vec::new()
    }

    /// The writes that bring the device to `state`; `changed` says which outputs changed.
    fn writes(
        &mut self,
        changed: &[(u32, OutputCommand)],
        state: &OutputState,
    ) -> Vec<HardwareWrite>;

    /// Told whether the writes from the last [`Protocol::writes`] all reached the device, so
    /// state those writes change on the device (a direction, a position) is only kept when
    /// they did.
    fn written(&mut self, _success: bool) {}

    /// Starts reading an input. The future owns what it needs (the hardware handle, copies of
    /// any state), so writes go on while it runs. The default reads one byte from the standard
    /// BLE battery endpoint.
    fn read_input(
        &self,
        hardware: Arc<dyn Hardware>,
        _feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'static, Result<i32, HardwareError>> {
        Box::pin(async move {
            battery_only(input_type)?;
            let data = hardware.read(Endpoint::RxBleBattery, READ_TIMEOUT).await?;
            byte_reading(Endpoint::RxBleBattery, data, |data| data.first().copied())
        })
    }

    /// Readings the device sends unasked (a sensor's notifications), as feature index and
    /// reading, for as long as it stays attached. Polled from when the device is listed (so a
    /// stream that first subscribes an endpoint does that then); `None`: it sends none.
    fn input_reports(
        &mut self,
        _hardware: Arc<dyn Hardware>,
    ) -> Option<BoxStream<'static, (u32, InputReadingValue)>> {
        None
    }

    /// The endpoint whose notifications need answers (see [`Protocol::notified`]): it is
    /// subscribed to once the device is initialised. `None` (the default): none do.
    fn answered_endpoint(&self) -> Option<Endpoint> {
        None
    }

    /// The writes answering what the device sent on [`Protocol::answered_endpoint`], such as a
    /// change of state it reports by itself.
    fn notified(&mut self, _data: &[u8]) -> Vec<HardwareWrite> {
        Vec::new()
    }

    /// How often the device must hear from us even when nothing changes (or, for protocols
    /// that move a device step by step, how often a step is taken). Asked again after every
    /// write, so it may follow the protocol's state (faster while a move is under way, none
    /// once there is nothing left to do).
    fn keepalive(&self) -> Option<Duration> {
        None
    }

    /// What to write when a keep-alive is due: by default, every output's current value again.
    fn keepalive_writes(&mut self, state: &OutputState) -> Vec<HardwareWrite> {
        let all: Vec<_> = state
            .iter()
            .map(|((feature, _), command)| (*feature, *command))
            .collect();
        self.writes(&all, state)
    }
}

/// Makes a protocol for a device advertising the given name (`None`: this protocol has no
/// driver for that model).
type MakeProtocol = fn(&str) -> Option<Box<dyn Protocol>>;

/// A protocol implemented here.
struct Registered {
    /// Its name in the device configuration.
    name: &'static str,
    make: MakeProtocol,
    /// The `protocol_variant`s of the configuration it drives (models without one always).
    variants: &'static [&'static str],
    /// The least time between two writes that its devices take well.
    message_gap_ms: u32,
}

/// Every protocol implemented here. Adding one is a file and an entry here.
const REGISTRY: &[Registered] = &[
    Registered {
        name: "activejoy",
        make: activejoy::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "adrienlastic",
        make: adrienlastic::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "amorelie-joy",
        make: amorelie_joy::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "aneros",
        make: aneros::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "ankni",
        make: ankni::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "bananasome",
        make: bananasome::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "cachito",
        make: cachito::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "cowgirl",
        make: cowgirl::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "cowgirl-cone",
        make: cowgirl_cone::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "cueme",
        make: cueme::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "cupido",
        make: cupido::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "deepsire",
        make: deepsire::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "feelingso",
        make: feelingso::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "fleshy-thrust",
        make: fleshy_thrust::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "fluffer",
        make: fluffer::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "fmachine",
        make: fmachine::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "foreo",
        make: foreo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "fox",
        make: fox::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "fredorch",
        make: fredorch::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "fredorch-rotary",
        make: fredorch_rotary::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "galaku",
        make: galaku::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "galaku-pump",
        make: galaku_pump::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "hgod",
        make: hgod::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "hismith",
        make: hismith::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "hismith-mini",
        make: hismith_mini::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "honeyplaybox",
        make: honeyplaybox::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "htk_bm",
        make: htk_bm::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "itoys",
        make: itoys::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "jejoue",
        make: jejoue::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "joyhub",
        make: joyhub::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kgoal-boost",
        make: kgoal_boost::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-powershot",
        make: kiiroo_powershot::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-prowand",
        make: kiiroo_prowand::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-spot",
        make: kiiroo_spot::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-spot-v2",
        make: kiiroo_spot_v2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-v1",
        make: kiiroo_v1::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-v2",
        make: kiiroo_v2::protocol,
        variants: &[],
        message_gap_ms: 100,
    },
    Registered {
        name: "kiiroo-v2-vibrator",
        make: kiiroo_v2_vibrator::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-v21",
        make: kiiroo_v21::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-v21-initialized",
        make: kiiroo_v21_initialized::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kiiroo-v3",
        make: kiiroo_v3::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "kizuna",
        make: kizuna::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lelo-f1s",
        make: lelo_f1s::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lelo-f1sv2",
        make: lelo_f1sv2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lelo-harmony",
        make: lelo_harmony::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "leten",
        make: leten::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "libo-elle",
        make: libo_elle::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "libo-shark",
        make: libo_shark::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "libo-vibes",
        make: libo_vibes::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lioness",
        make: lioness::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "loob",
        make: loob::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lovedistance",
        make: lovedistance::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lovehoney-desire",
        make: lovehoney_desire::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lovense",
        make: lovense::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "lovenuts",
        make: lovenuts::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "luvmazer",
        make: luvmazer::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "magic-motion-1",
        make: magic_motion_1::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "magic-motion-2",
        make: magic_motion_2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "magic-motion-3",
        make: magic_motion_3::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "magic-motion-4",
        make: magic_motion_4::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "mannuo",
        make: mannuo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "maxpro",
        make: maxpro::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "meese",
        make: meese::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "mizzzee",
        make: mizzzee::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "mizzzee-v2",
        make: mizzzee_v2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "mizzzee-v3",
        make: mizzzee_v3::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "monsterpub",
        make: monsterpub::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "motorbunny",
        make: motorbunny::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "mymuselinkplus",
        make: mymuselinkplus::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "mysteryvibe",
        make: mysteryvibe::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "mysteryvibe-v2",
        make: mysteryvibe_v2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "nextlevelracing",
        make: nextlevelracing::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "nexus-revo",
        make: nexus_revo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "nobra",
        make: nobra::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "omobo",
        make: omobo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "ossm",
        make: ossm::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "patoo",
        make: patoo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "picobong",
        make: picobong::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "pink_punch",
        make: pink_punch::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "prettylove",
        make: prettylove::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "realov",
        make: realov::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sakuraneko",
        make: sakuraneko::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "satisfyer",
        make: satisfyer::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sensee",
        make: sensee::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sensee-v2",
        make: sensee_v2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "serveu",
        make: serveu::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sexverse-lg389",
        make: sexverse_lg389::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sexverse-v1",
        make: sexverse_v1::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sexverse-v2",
        make: sexverse_v2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sexverse-v3",
        make: sexverse_v3::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sexverse-v4",
        make: sexverse_v4::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sexverse-v5",
        make: sexverse_v5::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "sexverse-v6",
        make: sexverse_v6::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-alex",
        make: svakom_alex::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-alex-v2",
        make: svakom_alex_v2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-avaneo",
        make: svakom_avaneo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-barnard",
        make: svakom_barnard::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-barney",
        make: svakom_barney::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-dice",
        make: svakom_dice::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-dt250a",
        make: svakom_dt250a::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-fatima",
        make: svakom_fatima::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-iker",
        make: svakom_iker::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-jordan",
        make: svakom_jordan::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-pulse",
        make: svakom_pulse::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-sam",
        make: svakom_sam::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-sam2",
        make: svakom_sam2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-suitcase",
        make: svakom_suitcase::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-tarax",
        make: svakom_tarax::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-v1",
        make: svakom_v1::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-v2",
        make: svakom_v2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-v3",
        make: svakom_v3::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-v4",
        make: svakom_v4::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-v5",
        make: svakom_v5::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "svakom-v6",
        make: svakom_v6::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "synchro",
        make: synchro::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "tcode-v03",
        make: tcode_v03::protocol,
        variants: &[],
        message_gap_ms: 20,
    },
    Registered {
        name: "thehandy",
        make: thehandy::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "thehandy-v3",
        make: thehandy_v3::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "tryfun",
        make: tryfun::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "tryfun-blackhole",
        make: tryfun_blackhole::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "tryfun-meta2",
        make: tryfun_meta2::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "umove",
        make: umove::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "utimi",
        make: utimi::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "vibcrafter",
        make: vibcrafter::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "vibio",
        make: vibio::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "vibratissimo",
        make: vibratissimo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "vorze-cyclone-x",
        make: vorze_cyclone_x::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "vorze-sa",
        make: vorze_sa::protocol,
        variants: vorze_sa::VARIANTS,
        message_gap_ms: 100,
    },
    Registered {
        name: "wetoy",
        make: wetoy::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "wevibe",
        make: wevibe::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "wevibe-8bit",
        make: wevibe_8bit::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "wevibe-chorus",
        make: wevibe_chorus::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "xibao",
        make: xibao::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "xiuxiuda",
        make: xiuxiuda::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "xuanhuan",
        make: xuanhuan::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "yiciyuan",
        make: yiciyuan::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "youcups",
        make: youcups::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "youou",
        make: youou::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
    Registered {
        name: "zalo",
        make: zalo::protocol,
        variants: &[],
        message_gap_ms: 50,
    },
];

fn registered(name: &str) -> Option<&'static Registered> {
    REGISTRY.iter().find(|r| r.name == name)
}

/// The protocol implementation named `name` in the device configuration, for a device
/// advertising `device_name`.
pub fn by_name(name: &str, device_name: &str) -> Option<Box<dyn Protocol>> {
    registered(name).and_then(|r| (r.make)(device_name))
}

/// Names of every protocol implemented here.
pub fn implemented() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|r| r.name)
}

/// Whether a protocol of this name is implemented here.
pub fn is_implemented(name: &str) -> bool {
    registered(name).is_some()
}

/// Whether models of protocol `name` with this `protocol_variant` can be driven.
pub fn drives(name: &str, variant: Option<&str>) -> bool {
    registered(name).is_some_and(|r| variant.is_none_or(|v| r.variants.contains(&v)))
}

/// The message gap a protocol's devices take by default, in milliseconds.
pub fn message_gap_ms(name: &str) -> u32 {
    registered(name).map_or(0, |r| r.message_gap_ms)
}

/// A protocol driving real hardware: what a device's task owns.
pub struct ProtocolDriver {
    protocol: Box<dyn Protocol>,
    hardware: Arc<dyn Hardware>,
    /// Outputs a user asked to run backwards, with their ranges.
    reversed: Vec<(u32, OutputType, Range)>,
    /// The device's notifications, listened to from the start for protocols that answer
    /// some, until the device's task takes them.
    notifications: Option<broadcast::Receiver<Notification>>,
}

impl ProtocolDriver {
    /// Joins an initialised protocol to its hardware, for a device of `model`.
    pub fn new(
        protocol: Box<dyn Protocol>,
        hardware: Arc<dyn Hardware>,
        model: &DeviceDefinition,
    ) -> Self {
        let reversed = model
            .reversed
            .iter()
            .filter_map(|&(feature, output_type)| {
                let limits = model
                    .features
                    .iter()
                    .find(|f| f.feature_index == feature)?
                    .output
                    .get(&output_type)?;
                Some((feature, output_type, limits.value))
            })
            .collect();
        let notifications = protocol
            .answered_endpoint()
            .map(|_| hardware.notifications());
        Self {
            protocol,
            hardware,
            reversed,
            notifications,
        }
    }

    /// The endpoint whose notifications the protocol answers, to be subscribed to.
    pub fn answered_endpoint(&self) -> Option<Endpoint> {
        self.protocol.answered_endpoint()
    }

    /// A command as the device must see it: mirrored within its range when reversed.
    fn as_sent(&self, feature: u32, command: OutputCommand) -> OutputCommand {
        let output_type = command.output_type();
        match self
            .reversed
            .iter()
            .find(|(f, t, _)| *f == feature && *t == output_type)
        {
            Some((_, _, range)) => command.with_value(range.min + range.max - command.value()),
            None => command,
        }
    }
}

impl DeviceDriver for ProtocolDriver {
    fn apply<'a>(
        &'a mut self,
        changed: &'a [(u32, OutputCommand)],
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>> {
        Box::pin(async move {
            let writes = if self.reversed.is_empty() {
                self.protocol.writes(changed, state)
            } else {
                let changed: Vec<_> = changed
                    .iter()
                    .map(|&(feature, command)| (feature, self.as_sent(feature, command)))
                    .collect();
                let state: OutputState = state
                    .iter()
                    .map(|(&(feature, t), &command)| ((feature, t), self.as_sent(feature, command)))
                    .collect();
                self.protocol.writes(&changed, &state)
            };
            let mut result = Ok(());
            for write in writes {
                if let Err(error) = self.hardware.write(write).await {
                    result = Err(error);
                    break;
                }
            }
            self.protocol.written(result.is_ok());
            result
        })
    }

    fn read(
        &self,
        feature_index: u32,
        input_type: InputType,
    ) -> BoxFuture<'static, Result<i32, HardwareError>> {
        self.protocol
            .read_input(self.hardware.clone(), feature_index, input_type)
    }

    fn keepalive(&self) -> Option<Duration> {
        self.protocol.keepalive()
    }

    fn notifications(&mut self) -> Option<broadcast::Receiver<Notification>> {
        self.notifications.take()
    }

    fn notified(&mut self, notification: Notification) -> BoxFuture<'_, Result<(), HardwareError>> {
        Box::pin(async move {
            if self.protocol.answered_endpoint() != Some(notification.endpoint) {
                return Ok(());
            }
            for write in self.protocol.notified(&notification.data) {
                self.hardware.write(write).await?;
            }
            Ok(())
        })
    }

    fn send_keepalive<'a>(
        &'a mut self,
        state: &'a OutputState,
    ) -> BoxFuture<'a, Result<(), HardwareError>> {
        Box::pin(async move {
            for write in self.protocol.keepalive_writes(state) {
                self.hardware.write(write).await?;
            }
            Ok(())
        })
    }
}
