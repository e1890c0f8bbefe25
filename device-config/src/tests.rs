//! The device database: the pinned Buttplug release loads unchanged, matching, models with
//! defaults behind them, user configurations of both layouts, and errors that say where.

use super::*;

fn advertised(name: &str) -> Advertisement {
    Advertisement {
        name: name.to_owned(),
        ..Advertisement::default()
    }
}

fn protocol_of(config: &DeviceConfig, advertisement: &Advertisement) -> Option<String> {
    config
        .match_advertisement(advertisement)
        .map(|(protocol, _)| protocol.to_owned())
}

#[test]
fn the_builtin_database_is_the_pinned_buttplug_release() {
    // The published file, read from disk unchanged, is what is built in.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/buttplug-device-config-v5.json");
    let published = DeviceConfig::load(&path).expect("the published v5 file loads unchanged");
    let builtin = DeviceConfig::builtin();
    assert_eq!(builtin.version(), BUILTIN_VERSION);
    assert_eq!(published.version(), builtin.version());
    assert!(published.models().eq(builtin.models()));
    assert_eq!(
        (builtin.protocol_names().count(), builtin.models().count()),
        (149, 873)
    );
}

#[test]
fn names_prefixes_services_and_manufacturer_data_match() {
    let config = DeviceConfig::builtin();
    let by_name = |name| protocol_of(&config, &advertised(name));
    assert_eq!(by_name("LVS-Z36").as_deref(), Some("lovense"));
    assert_eq!(by_name("Pivot").as_deref(), Some("wevibe"));
    assert_eq!(by_name("Melt").as_deref(), Some("wevibe-8bit"));
    assert_eq!(by_name("Launch").as_deref(), Some("kiiroo-v2"));
    assert_eq!(by_name("CycSA").as_deref(), Some("vorze-sa"));
    // Exact names must match exactly; prefixes only where the pattern ends in *.
    assert_eq!(by_name("Pivot2"), None);
    assert_eq!(by_name("XLVS-1"), None);
    // A newer Lovense toy that advertises only its service.
    let mut edge2 = advertised("unnamed");
    edge2
        .services
        .push("50300001-0024-4bd4-bbd5-a6920e4c5653".to_owned());
    assert_eq!(protocol_of(&config, &edge2).as_deref(), Some("lovense"));
    // Manufacturer data: Lovense's company id with its leading bytes.
    let mut by_data = advertised("unnamed");
    by_data.manufacturer_data.insert(620, vec![255, 33, 1]);
    assert_eq!(protocol_of(&config, &by_data).as_deref(), Some("lovense"));
    by_data.manufacturer_data.insert(620, vec![1, 2]);
    assert_eq!(protocol_of(&config, &by_data), None);
}

#[test]
fn every_lovense_service_maps_tx_and_rx() {
    let config = DeviceConfig::builtin();
    let (_, btle) = config
        .match_advertisement(&advertised("LVS-Edge"))
        .expect("lovense");
    assert_eq!(btle.services.len(), 41);
    for endpoints in btle.services.values() {
        assert!(endpoints.contains_key("tx") && endpoints.contains_key("rx"));
    }
}

#[test]
fn models_come_from_identifiers_with_defaults_behind_them() {
    let config = DeviceConfig::builtin();
    let edge = config.definition("lovense", "P").expect("Edge");
    assert_eq!(edge.name, "Lovense Edge");
    let vibrators = edge
        .features
        .iter()
        .filter(|f| f.output.contains_key(&OutputType::Vibrate))
        .count();
    assert_eq!(vibrators, 2);
    assert_eq!(
        edge.features[1].output[&OutputType::Vibrate].value,
        Range::new(0, 20)
    );
    // The Lush names no features of its own: it has the protocol's defaults.
    let lush = config.definition("lovense", "S").expect("Lush");
    assert_eq!(
        (lush.name.as_str(), lush.features.len()),
        ("Lovense Lush", 2)
    );
    let unknown = config.definition("lovense", "??").expect("defaults");
    assert_eq!(unknown.name, "Lovense Device");
    assert!(config.definition("no-such-protocol", "x").is_none());
    // Variants and feature indexes with gaps come through as configured.
    let ufo = config.definition("vorze-sa", "UFO-TW").expect("UFO TW");
    assert_eq!(
        ufo.protocol_variant.as_deref(),
        Some("vorze-sa-dual-rotator")
    );
    let rainbow = config.definition("joyhub", "J-Rainbow").expect("Rainbow");
    let indexes: Vec<u32> = rainbow.features.iter().map(|f| f.feature_index).collect();
    assert_eq!(indexes, vec![0, 6]);
}

#[test]
fn a_protocol_is_listed_with_its_models_and_their_variants() {
    let config = DeviceConfig::builtin();
    let gamepads: Vec<Model> = config.models().filter(|m| m.protocol == "xinput").collect();
    assert_eq!(gamepads.len(), 1);
    assert!(config.protocol_names().any(|name| name == "xinput"));
    let piston = config
        .models()
        .find(|m| m.name == "Vorze Piston")
        .expect("the Vorze Piston is listed");
    assert_eq!(piston.protocol, "vorze-sa");
    assert!(
        piston.variant.is_some(),
        "the piston has its own packet shape"
    );
}

#[test]
fn plugwires_earlier_user_layout_adds_names_and_overrides_models() {
    let mut config = DeviceConfig::builtin();
    config
        .merge_user_file(
            "user.json",
            r#"{"version":{"major":5,"minor":0},"protocols":{"wevibe":{
                "communication":[{"btle":{"names":["My WeVibe*"],"services":{}}}],
                "configurations":[{"identifier":["Pivot"],"name":"Bedside Pivot","features":[
                    {"description":"Gentler","output":{"vibrate":{"value":[0,8]}}}]}]}}}"#,
        )
        .expect("user file");
    assert_eq!(
        protocol_of(&config, &advertised("My WeVibe 2")).as_deref(),
        Some("wevibe")
    );
    let pivot = config.definition("wevibe", "Pivot").expect("Pivot");
    assert_eq!(pivot.name, "Bedside Pivot");
    assert_eq!(
        pivot.features[0].output[&OutputType::Vibrate].value,
        Range::new(0, 8)
    );
    // Other models keep the database's definition.
    assert_eq!(
        config.definition("wevibe", "Jive").expect("Jive").name,
        "WeVibe Jive"
    );
}

#[test]
fn buttplugs_user_configs_customise_one_device() {
    let mut config = DeviceConfig::builtin();
    let edge = config.definition("lovense", "P").expect("Edge");
    let first = edge.features[0].feature_index;
    // The Edge's feature ids, from the database.
    let ids = config.feature_ids("lovense", "P");
    let (Some(first_id), Some(second_id)) = (ids[0].clone(), ids[1].clone()) else {
        panic!("the Edge's features have ids");
    };
    let user = format!(
        r#"{{"version":{{"major":5,"minor":57}},"user_configs":{{
            "protocols":{{"lovense":{{"communication":[{{"btle":{{"names":["MyLovense"],"services":{{}}}}}}]}}}},
            "devices":[{{"identifier":{{"address":"AA:BB","protocol":"lovense","identifier":"P"}},
              "config":{{"id":"00000000-0000-0000-0000-000000000001","base_id":"2e309985-6bbf-4b75-866f-76d845b3ce42",
                "features":[
                  {{"id":"00000000-0000-0000-0000-000000000002","base_id":"{first_id}","output":{{"vibrate":{{"value":[0,10]}}}}}},
                  {{"id":"00000000-0000-0000-0000-000000000003","base_id":"{second_id}","output":{{"vibrate":{{"disabled":true}}}}}}],
                "user_config":{{"allow":false,"deny":false,"display_name":"Edgy","index":7,"message_gap_ms":75}}}}}},
              {{"identifier":{{"address":"CC:DD","protocol":"lovense"}},
              "config":{{"id":"00000000-0000-0000-0000-000000000004","base_id":"2e309985-6bbf-4b75-866f-76d845b3ce42",
                "features":[],"user_config":{{"allow":false,"deny":true,"index":8}}}}}}]}}}}"#
    );
    config
        .merge_user_file("user.json", &user)
        .expect("user file");
    assert_eq!(
        protocol_of(&config, &advertised("MyLovense")).as_deref(),
        Some("lovense")
    );
    let mine = config
        .definition_for("lovense", "P", "AA:BB")
        .expect("fits")
        .expect("Edge");
    assert_eq!(mine.display_name.as_deref(), Some("Edgy"));
    assert_eq!((mine.index, mine.message_gap_ms), (Some(7), Some(75)));
    assert_eq!(
        mine.features[0].output[&OutputType::Vibrate].value,
        Range::new(0, 10)
    );
    assert!(!mine.features[1].output.contains_key(&OutputType::Vibrate));
    assert_eq!(mine.features[0].feature_index, first);
    // Another Edge keeps the database's.
    let other = config
        .definition_for("lovense", "P", "EE:FF")
        .expect("fits")
        .expect("Edge");
    assert_eq!(other, edge);
    // Denied is denied; with no allow list, everyone else is allowed.
    assert!(!config.is_allowed("CC:DD"));
    assert!(config.is_allowed("EE:FF"));
}

#[test]
fn an_allow_list_admits_only_its_devices() {
    let mut config = DeviceConfig::builtin();
    config
        .merge_user_file(
            "user.json",
            r#"{"version":{"major":5,"minor":0},"user_configs":{"devices":[
                {"identifier":{"address":"AA","protocol":"lovense"},
                 "config":{"id":"00000000-0000-0000-0000-000000000001","base_id":"00000000-0000-0000-0000-000000000002",
                   "features":[],"user_config":{"allow":true,"deny":false,"index":0}}}]}}"#,
        )
        .expect("user file");
    assert!(config.is_allowed("AA"));
    assert!(!config.is_allowed("BB"));
}

#[test]
fn a_malformed_configuration_says_where() {
    let error = DeviceConfig::parse(
        "broken.json",
        "{\n  \"version\": {\"major\": 5, \"minor\": 0},\n  \"protocols\": [\n",
    )
    .expect_err("not JSON of the right shape");
    assert!(error.place.starts_with("broken.json line 3"), "{error}");

    let error = DeviceConfig::parse(
        "ranges.json",
        r#"{"version":{"major":5,"minor":0},"protocols":{"lovense":{"defaults":{"name":"L","features":[
            {"output":{"vibrate":{"value":[20,0]}}}]}}}}"#,
    )
    .expect_err("an inverted range");
    assert_eq!(
        error.place,
        "ranges.json: protocols.lovense.defaults.features[0].output.vibrate.value"
    );
    assert!(matches!(error.kind, ConfigErrorKind::InvertedRange));

    let error = DeviceConfig::parse(
        "endpoint.json",
        r#"{"version":{"major":5,"minor":0},"protocols":{"lovense":{"communication":[{"btle":{"names":["x"],"services":{"abc":{"warp":"def"}}}}]}}}"#,
    )
    .expect_err("an unknown endpoint");
    assert_eq!(
        error.place,
        "endpoint.json: protocols.lovense.communication[0].btle.services.abc.warp"
    );

    let error = DeviceConfig::parse(
        "version.json",
        r#"{"version":{"major":3,"minor":0},"protocols":{}}"#,
    )
    .expect_err("an old version");
    assert_eq!(error.place, "version.json: version.major");
    assert!(matches!(error.kind, ConfigErrorKind::UnsupportedVersion(3)));

    let error = DeviceConfig::parse(
        "typo.json",
        r#"{"version":{"major":5,"minor":0},"protocols":{"lovense":{"defualts":{}}}}"#,
    )
    .expect_err("a misspelt field");
    assert!(matches!(error.kind, ConfigErrorKind::Syntax(_)), "{error}");
}

#[test]
fn a_protocol_plugwire_does_not_drive_loads() {
    let config = DeviceConfig::parse("unknown.json", TELEPORTER)
        .expect("an unknown protocol is not an error");
    assert_eq!(config.protocol_names().collect::<Vec<_>>(), ["teleporter"]);
    assert_eq!(config.models().count(), 1);
    assert_eq!(
        protocol_of(&config, &advertised("Beam me up")).as_deref(),
        Some("teleporter")
    );
}

/// A database of one protocol no driver exists for.
const TELEPORTER: &str = r#"{"version":{"major":5,"minor":0},"protocols":{"teleporter":{"communication":[{"btle":{"names":["Beam*"],"services":{}}}],"defaults":{"name":"Teleporter","id":"00000000-0000-0000-0000-000000000001","features":[]}}}}"#;

#[test]
fn a_user_configuration_names_devices_that_dial_in_over_websocket() {
    let mut config = DeviceConfig::builtin();
    assert_eq!(config.websocket_identifiers().count(), 0);
    config
        .merge_user_file(
            "user.json",
            r#"{
  "version": { "major": 4, "minor": 0 },
  "user_configs": {
    "protocols": {
      "lovense": { "communication": [ { "websocket": { "name": "LVSDevice" } } ] }
    }
  }
}"#,
        )
        .expect("a websocket entry");
    assert_eq!(config.match_websocket("LVSDevice"), Some("lovense"));
    assert_eq!(config.match_websocket("lvsdevice"), None);
    let identifiers: Vec<_> = config.websocket_identifiers().collect();
    assert_eq!(identifiers, [("LVSDevice", "lovense")]);
    // The builtin Bluetooth entries stay: the user's entry adds a way in.
    assert_eq!(
        protocol_of(&config, &advertised("LVS-Edge")).as_deref(),
        Some("lovense")
    );
}

#[test]
fn ranges_are_listed_from_zero_as_buttplug_lists_them() {
    let config = DeviceConfig::builtin();
    // umove's heat is 37–42 in the database and listed 0–42: a client's 0 is off and its 21
    // reaches the protocol as 21, as in Buttplug.
    let mira = config.definition("umove", "Mi").expect("Umove Mira");
    let heat = &mira.features[2].output[&OutputType::Temperature];
    assert_eq!((heat.value, heat.duration), (Range::new(0, 42), None));
    // Ranges reaching below 0 are listed symmetric, as they are in the database.
    let nora = config.definition("lovense", "A").expect("Nora");
    assert_eq!(
        nora.features[1].output[&OutputType::Rotate].value,
        Range::new(-20, 20)
    );
    // Every model of the database: the end as it is; the start 0, or minus the end when the
    // database's range reaches below 0. Durations alike.
    let mut checked = 0;
    for (protocol, definition) in &config.protocols {
        let defaults = definition.defaults.iter().map(|d| (None, d));
        let models = definition
            .configurations
            .iter()
            .map(|m| (m.identifier.first(), m));
        for (identifier, model) in defaults.chain(models) {
            let Some(features) = model.features.as_ref() else {
                continue;
            };
            let identifier = identifier.map_or("no such model", String::as_str);
            let listed = config
                .definition(protocol, identifier)
                .expect("every model is defined");
            if listed.id != model.id {
                // An identifier two models share: the first one is found.
                continue;
            }
            for (raw, feature) in features.iter().zip(&listed.features) {
                for (key, output) in &raw.output {
                    let output_type = output_type(key).expect("a known output");
                    let limits = feature.output[&output_type];
                    let [start, end] = output.value;
                    let low = if start < 0 { -end } else { 0 };
                    assert_eq!(limits.value, Range::new(low, end), "{protocol} {key}");
                    let duration = output.duration.map(|[_, end]| Range::new(0, end));
                    assert_eq!(limits.duration, duration, "{protocol} {key}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} outputs checked");
}

#[test]
fn a_users_range_from_zero_is_listed_as_the_databases_are() {
    let mut config = DeviceConfig::builtin();
    let ids = config.feature_ids("lovense", "A");
    let (Some(vibrator), Some(rotator)) = (ids[0].clone(), ids[1].clone()) else {
        panic!("the Nora's features have ids");
    };
    let user = format!(
        r#"{{"version":{{"major":5,"minor":57}},"user_configs":{{"devices":[
            {{"identifier":{{"address":"AA:BB","protocol":"lovense","identifier":"A"}},
              "config":{{"id":"00000000-0000-0000-0000-000000000001","base_id":"00000000-0000-0000-0000-000000000002",
                "features":[
                  {{"id":"00000000-0000-0000-0000-000000000003","base_id":"{vibrator}","output":{{"vibrate":{{"value":[5,15]}}}}}},
                  {{"id":"00000000-0000-0000-0000-000000000004","base_id":"{rotator}","output":{{"rotate":{{"value":[0,10]}}}}}}],
                "user_config":{{"allow":false,"deny":false,"index":0}}}}}}]}}}}"#
    );
    config
        .merge_user_file("user.json", &user)
        .expect("user file");
    let nora = config
        .definition_for("lovense", "A", "AA:BB")
        .expect("fits")
        .expect("Nora");
    // 0–10 of a rotation both ways turns both ways, as in Buttplug.
    assert_eq!(
        nora.features[1].output[&OutputType::Rotate].value,
        Range::new(-10, 10)
    );
    // A range from elsewhere is listed as it is (its values reach the protocol unchanged).
    assert_eq!(
        nora.features[0].output[&OutputType::Vibrate].value,
        Range::new(5, 15)
    );
}

#[test]
fn a_protocols_endpoints_are_those_its_configuration_names() {
    let config = DeviceConfig::builtin();
    let names = |protocol| {
        config
            .protocol_endpoints(protocol)
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("mysteryvibe"), ["rx", "tx", "txmode", "txvibrate"]);
    assert_eq!(names("kiiroo-v2"), ["firmware", "rx", "tx"]);
    assert_eq!(names("libo-elle"), ["rx", "tx", "txmode"]);
    // A protocol reached by serial only still has tx and rx; an unknown one has nothing.
    assert_eq!(names("tcode-v03"), ["rx", "tx"]);
    assert!(names("teleporter").is_empty());
}

#[test]
fn a_user_configuration_naming_an_unknown_protocol_says_which_it_may_mean() {
    let mut config = DeviceConfig::builtin();
    let error = config
        .merge_user_file(
            "user.json",
            r#"{"version":{"major":4,"minor":0},"user_configs":{"protocols":{"lovens":{"communication":[{"btle":{"names":["Mine"],"services":{}}}]}}}}"#,
        )
        .expect_err("lovens is no protocol");
    let ConfigErrorKind::UnknownProtocol { name, closest } = &error.kind else {
        panic!("{error}");
    };
    assert_eq!(name, "lovens");
    assert_eq!(closest.first().map(String::as_str), Some("lovense"));
    assert!(
        error.to_string().contains("did you mean \"lovense\""),
        "{error}"
    );
    // A device entry names its protocol too.
    let error = config
        .merge_user_file(
            "user.json",
            r#"{"version":{"major":4,"minor":0},"user_configs":{"devices":[{"identifier":{"address":"AA","protocol":"no-such-thing-at-all"},"config":{"id":"x","base_id":"y","user_config":{"allow":true,"deny":false,"index":3}}}]}}"#,
        )
        .expect_err("an unknown protocol");
    assert!(
        matches!(error.kind, ConfigErrorKind::UnknownProtocol { .. }),
        "{error}"
    );
}
