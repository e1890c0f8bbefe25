//! mDNS: a listener is announced under Intiface's service type with the port it really got,
//! found by an independent browser on this machine, and withdrawn when the announcement ends.

#![cfg(feature = "mdns")]

mod common;

use common::within;
use mdns_sd::{ServiceDaemon, ServiceEvent};
use plugwire::mdns::{AnnouncedListener, MdnsAnnouncement, SERVICE_TYPE};

#[tokio::test]
async fn a_listener_is_announced_with_its_real_port_and_withdrawn_on_drop() {
    within(async {
        // A real listener's port, as `plugwire serve --websocket-port 0` would get.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let browser = ServiceDaemon::new().expect("browser");
        let events = browser.browse(SERVICE_TYPE).expect("browse");
        let announcement = MdnsAnnouncement::start(
            &[AnnouncedListener {
                address,
                secure: true,
            }],
            Some("plugwire-test"),
        )
        .expect("announce");
        let instance = announcement.instances()[0].clone();
        assert!(
            instance.starts_with("intiface_engine_plugwire-test_")
                && instance.ends_with(SERVICE_TYPE),
            "{instance}"
        );
        let resolved = loop {
            match events.recv_async().await.expect("browsing") {
                ServiceEvent::ServiceResolved(service) if service.fullname == instance => {
                    break service;
                }
                _ => continue,
            }
        };
        assert_eq!(resolved.port, address.port());
        assert!(
            resolved
                .addresses
                .iter()
                .any(|ip| ip.to_ip_addr() == address.ip()),
            "{:?}",
            resolved.addresses
        );
        assert_eq!(
            resolved.txt_properties.get_property_val_str("scheme"),
            Some("wss")
        );
        assert_eq!(
            resolved.txt_properties.get_property_val_str("path"),
            Some("/")
        );
        drop(announcement);
        loop {
            match events.recv_async().await.expect("browsing") {
                ServiceEvent::ServiceRemoved(_, name) if name == instance => break,
                _ => continue,
            }
        }
        let _ = browser.shutdown();
        drop(listener);
    })
    .await;
}
