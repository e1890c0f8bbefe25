//! Configuration: the shipped file, matching, user overrides, and errors that say where.

use super::*;

fn advertised(name: &str) -> Advertisement {
    Advertisement {
        name: name.to_owned(),
        ..Advertisement::default()
    }
}

#[test]
fn the_shipped_configuration_loads_and_covers_every_protocol() {
    let config = DeviceConfig::parse("shipped", SHIPPED).expect("the shipped file is valid");
    for protocol in crate::protocol::implemented() {
        assert!(
            config.protocols.contains_key(protocol),
            "{protocol} is configured"
        );
    }
}

#[test]
fn names_prefixes_services_and_manufacturer_data_match() {
    let config = DeviceConfig::shipped();
    assert_eq!(
        config
            .match_advertisement(&advertised("LVS-Z36"))
            .map(|m| m.0),
        Some("lovense")
    );
    assert_eq!(
        config
            .match_advertisement(&advertised("Pivot"))
            .map(|m| m.0),
        Some("wevibe")
    );
    assert_eq!(
        config.match_advertisement(&advertised("Melt")).map(|m| m.0),
        Some("wevibe-8bit")
    );
    assert_eq!(
        config
            .match_advertisement(&advertised("Launch"))
            .map(|m| m.0),
        Some("kiiroo-v2")
    );
    assert_eq!(
        config
            .match_advertisement(&advertised("CycSA"))
            .map(|m| m.0),
        Some("vorze-sa")
    );
    // Exact names must match exactly; prefixes only where the pattern ends in *.
    assert_eq!(config.match_advertisement(&advertised("Pivot2")), None);
    assert_eq!(config.match_advertisement(&advertised("XLVS-1")), None);
    // Manufacturer data: Lovense's company id with its leading bytes.
    let mut by_data = advertised("unnamed");
    by_data.manufacturer_data.insert(620, vec![255, 33, 1]);
    assert_eq!(
        config.match_advertisement(&by_data).map(|m| m.0),
        Some("lovense")
    );
    by_data.manufacturer_data.insert(620, vec![1, 2]);
    assert_eq!(config.match_advertisement(&by_data), None);
}

#[test]
fn advertised_services_match() {
    let mut config = DeviceConfig::shipped();
    config
        .merge_user_file(
            "user.json",
            r#"{"version":{"major":5,"minor":0},"protocols":{"svakom-v1":{"communication":[{"btle":{"advertised_services":["0000FFE0-0000-1000-8000-00805F9B34FB"]}}]}}}"#,
        )
        .expect("user file");
    let mut advertisement = advertised("no name match");
    advertisement
        .services
        .push("0000ffe0-0000-1000-8000-00805f9b34fb".to_owned());
    assert_eq!(
        config.match_advertisement(&advertisement).map(|m| m.0),
        Some("svakom-v1")
    );
}

#[test]
fn models_come_from_identifiers_with_defaults_behind_them() {
    let config = DeviceConfig::shipped();
    let edge = config.definition("lovense", "P").expect("Edge");
    assert_eq!(edge.name, "Lovense Edge");
    assert_eq!(edge.features.len(), 3);
    assert_eq!(
        edge.features[1].output[&OutputType::Vibrate].value,
        Range::new(0, 20)
    );
    let lush = config.definition("lovense", "S").expect("Lush");
    assert_eq!(
        (lush.name.as_str(), lush.features.len(), lush.message_gap_ms),
        ("Lovense Lush", 2, 50)
    );
    let unknown = config.definition("lovense", "??").expect("defaults");
    assert_eq!(unknown.name, "Lovense Device");
    assert!(config.definition("no-such-protocol", "x").is_none());
}

#[test]
fn a_user_file_adds_names_and_overrides_models() {
    let mut config = DeviceConfig::shipped();
    config
        .merge_user_file(
            "user.json",
            r#"{"version":{"major":5,"minor":0},"protocols":{"wevibe":{
                "communication":[{"btle":{"names":["My WeVibe*"]}}],
                "configurations":[{"identifier":["Pivot"],"name":"Bedside Pivot","features":[
                    {"description":"Gentler","output":{"vibrate":{"value":[0,8]}}}]}]}}}"#,
        )
        .expect("user file");
    assert_eq!(
        config
            .match_advertisement(&advertised("My WeVibe 2"))
            .map(|m| m.0),
        Some("wevibe")
    );
    let pivot = config.definition("wevibe", "Pivot").expect("Pivot");
    assert_eq!(pivot.name, "Bedside Pivot");
    assert_eq!(
        pivot.features[0].output[&OutputType::Vibrate].value,
        Range::new(0, 8)
    );
    // Other models keep the shipped definition.
    assert_eq!(
        config
            .definition("wevibe", "4 Plus")
            .expect("4 Plus")
            .features
            .len(),
        2
    );
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

    let error = DeviceConfig::parse(
        "unknown.json",
        r#"{"version":{"major":5,"minor":0},"protocols":{"teleporter":{}}}"#,
    )
    .expect_err("an unknown protocol");
    assert_eq!(error.place, "unknown.json: protocols.teleporter");

    let error = DeviceConfig::parse(
        "endpoint.json",
        r#"{"version":{"major":5,"minor":0},"protocols":{"lovense":{"communication":[{"btle":{"services":{"abc":{"warp":"def"}}}}]}}}"#,
    )
    .expect_err("an unknown endpoint");
    assert_eq!(
        error.place,
        "endpoint.json: protocols.lovense.communication[0].btle.services.abc.warp"
    );

    let error = DeviceConfig::parse(
        "version.json",
        r#"{"version":{"major":4,"minor":0},"protocols":{}}"#,
    )
    .expect_err("an old version");
    assert_eq!(error.place, "version.json: version.major");
}
