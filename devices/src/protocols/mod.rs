//! Every device protocol plugwire has, one file each, named after its protocol in the device
//! database, and the registry that finds one by that name.
//!
//! Adding a protocol is a file here (its wire format in the opening comment, a `protocol`
//! function making it for an advertised name), one line in the `registry!` below, and its test
//! cases in `devices/tests/device_cases/`.

mod cipher;
mod packet;
#[cfg(test)]
mod tests;

use crate::protocol::Protocol;

/// Makes a protocol for a device advertising the given name (`None`: this protocol has no
/// driver for that model).
pub(crate) type MakeProtocol = fn(&str) -> Option<Box<dyn Protocol>>;

/// The least time between two writes that most devices take well, in milliseconds.
const DEFAULT_MESSAGE_GAP_MS: u32 = 50;

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

impl Registered {
    /// A protocol that drives models without a variant, at the default message gap.
    const fn new(name: &'static str, make: MakeProtocol) -> Self {
        Self {
            name,
            make,
            variants: &[],
            message_gap_ms: DEFAULT_MESSAGE_GAP_MS,
        }
    }

    /// Also drives models of these `protocol_variant`s.
    const fn variants(mut self, variants: &'static [&'static str]) -> Self {
        self.variants = variants;
        self
    }

    /// Its devices take writes no closer together than `message_gap_ms`.
    const fn message_gap_ms(mut self, message_gap_ms: u32) -> Self {
        self.message_gap_ms = message_gap_ms;
        self
    }
}

/// One line per protocol: its module, its name in the device database, and the settings where
/// it differs from the defaults. Declares the modules and builds [`REGISTRY`] from them.
macro_rules! registry {
    ($($module:ident $name:literal $(.$setting:ident($value:expr))*;)*) => {
        $(mod $module;)*

        /// Every protocol implemented here.
        const REGISTRY: &[Registered] = &[
            $(Registered::new($name, $module::protocol)$(.$setting($value))*,)*
        ];
    };
}

registry! {
    activejoy "activejoy";
    adrienlastic "adrienlastic";
    amorelie_joy "amorelie-joy";
    aneros "aneros";
    ankni "ankni";
    bananasome "bananasome";
    cachito "cachito";
    cowgirl "cowgirl";
    cowgirl_cone "cowgirl-cone";
    cueme "cueme";
    cupido "cupido";
    deepsire "deepsire";
    feelingso "feelingso";
    fleshy_thrust "fleshy-thrust";
    fluffer "fluffer";
    fmachine "fmachine".message_gap_ms(200);
    foreo "foreo";
    fox "fox";
    fredorch "fredorch";
    fredorch_rotary "fredorch-rotary";
    galaku "galaku";
    galaku_pump "galaku-pump";
    hgod "hgod";
    hismith "hismith";
    hismith_mini "hismith-mini";
    honeyplaybox "honeyplaybox";
    htk_bm "htk_bm";
    itoys "itoys";
    jejoue "jejoue";
    joyhub "joyhub";
    kgoal_boost "kgoal-boost";
    kiiroo_powershot "kiiroo-powershot";
    kiiroo_prowand "kiiroo-prowand";
    kiiroo_spot "kiiroo-spot";
    kiiroo_spot_v2 "kiiroo-spot-v2";
    kiiroo_v1 "kiiroo-v1";
    kiiroo_v2 "kiiroo-v2".message_gap_ms(100);
    kiiroo_v2_vibrator "kiiroo-v2-vibrator";
    kiiroo_v21 "kiiroo-v21";
    kiiroo_v21_initialized "kiiroo-v21-initialized";
    kiiroo_v3 "kiiroo-v3";
    kizuna "kizuna";
    lelo_f1s "lelo-f1s";
    lelo_f1sv2 "lelo-f1sv2";
    lelo_harmony "lelo-harmony";
    leten "leten";
    libo_elle "libo-elle";
    libo_shark "libo-shark";
    libo_vibes "libo-vibes";
    lioness "lioness";
    loob "loob";
    lovedistance "lovedistance";
    lovehoney_desire "lovehoney-desire";
    lovense "lovense";
    lovenuts "lovenuts";
    luvmazer "luvmazer";
    magic_motion_1 "magic-motion-1";
    magic_motion_2 "magic-motion-2";
    magic_motion_3 "magic-motion-3";
    magic_motion_4 "magic-motion-4";
    mannuo "mannuo";
    maxpro "maxpro";
    meese "meese";
    mizzzee "mizzzee";
    mizzzee_v2 "mizzzee-v2";
    mizzzee_v3 "mizzzee-v3";
    monsterpub "monsterpub";
    motorbunny "motorbunny";
    mymuselinkplus "mymuselinkplus";
    mysteryvibe "mysteryvibe";
    mysteryvibe_v2 "mysteryvibe-v2";
    nextlevelracing "nextlevelracing";
    nexus_revo "nexus-revo";
    nobra "nobra";
    omobo "omobo";
    ossm "ossm";
    patoo "patoo";
    picobong "picobong";
    pink_punch "pink_punch";
    prettylove "prettylove";
    realov "realov";
    sakuraneko "sakuraneko";
    satisfyer "satisfyer";
    sensee "sensee";
    sensee_v2 "sensee-v2";
    serveu "serveu";
    sexverse_lg389 "sexverse-lg389";
    sexverse_v1 "sexverse-v1";
    sexverse_v2 "sexverse-v2";
    sexverse_v3 "sexverse-v3";
    sexverse_v4 "sexverse-v4";
    sexverse_v5 "sexverse-v5";
    sexverse_v6 "sexverse-v6";
    svakom_alex "svakom-alex";
    svakom_alex_v2 "svakom-alex-v2";
    svakom_avaneo "svakom-avaneo";
    svakom_barnard "svakom-barnard";
    svakom_barney "svakom-barney";
    svakom_dice "svakom-dice";
    svakom_dt250a "svakom-dt250a";
    svakom_fatima "svakom-fatima";
    svakom_iker "svakom-iker";
    svakom_jordan "svakom-jordan";
    svakom_pulse "svakom-pulse";
    svakom_sam "svakom-sam";
    svakom_sam2 "svakom-sam2";
    svakom_suitcase "svakom-suitcase";
    svakom_tarax "svakom-tarax";
    svakom_v1 "svakom-v1";
    svakom_v2 "svakom-v2";
    svakom_v3 "svakom-v3";
    svakom_v4 "svakom-v4";
    svakom_v5 "svakom-v5";
    svakom_v6 "svakom-v6";
    synchro "synchro";
    tcode_v03 "tcode-v03".message_gap_ms(20);
    thehandy "thehandy";
    thehandy_v3 "thehandy-v3";
    tryfun "tryfun";
    tryfun_blackhole "tryfun-blackhole";
    tryfun_meta2 "tryfun-meta2";
    umove "umove";
    utimi "utimi";
    vibcrafter "vibcrafter";
    vibio "vibio";
    vibratissimo "vibratissimo";
    vorze_cyclone_x "vorze-cyclone-x";
    vorze_sa "vorze-sa".variants(vorze_sa::VARIANTS).message_gap_ms(100);
    wetoy "wetoy";
    wevibe "wevibe";
    wevibe_8bit "wevibe-8bit";
    wevibe_chorus "wevibe-chorus";
    xibao "xibao";
    xiuxiuda "xiuxiuda";
    xuanhuan "xuanhuan";
    yiciyuan "yiciyuan";
    youcups "youcups";
    youou "youou";
    zalo "zalo";
}

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
