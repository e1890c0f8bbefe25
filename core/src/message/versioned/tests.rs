//! Shared device lists: encoded once, resent with the Id of each request.

use super::*;
use crate::message::{DeviceInfo, SpecVersion, device_list};

fn devices() -> Vec<DeviceInfo> {
    use crate::message::{DeviceFeature, OutputLimits, OutputType, Range};
    use std::collections::BTreeMap;
    let device = |index: u32, name: &str, output: OutputType| DeviceInfo {
        device_index: index,
        device_name: name.to_owned(),
        device_display_name: (index == 3).then(|| "mine".to_owned()),
        device_message_timing_gap: 50,
        device_features: BTreeMap::from([(
            0,
            DeviceFeature {
                feature_index: 0,
                feature_description: "motor".to_owned(),
                output: BTreeMap::from([(
                    output,
                    OutputLimits {
                        value: Range::new(0, 20),
                        duration: None,
                    },
                )]),
                input: BTreeMap::new(),
            },
        )]),
    };
    vec![
        device(0, "Vibrator", OutputType::Vibrate),
        device(3, "Rotator", OutputType::Rotate),
    ]
}

#[test]
fn a_shared_list_encodes_exactly_as_the_owned_one_in_every_version() {
    let devices = devices();
    for version in SpecVersion::ALL {
        let shared = SharedDeviceList::new(
            7,
            Arc::new(device_list(version, 0, &devices)),
            Arc::default(),
        );
        let owned = device_list(version, 7, &devices);
        assert_eq!(
            serde_json::to_string(&[&shared]).expect("json"),
            serde_json::to_string(&[&owned]).expect("json"),
            "{version}"
        );
        assert_eq!(shared.to_owned_message(), owned, "{version}");
    }
}
