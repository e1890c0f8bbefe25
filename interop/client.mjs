// Drives a plugwire server with the published JavaScript client (npm "buttplug").
// Usage: node client.mjs ws://127.0.0.1:PORT — exits non-zero on any mismatch.
import assert from "node:assert/strict";
import * as Buttplug from "buttplug";

const url = process.argv[2];
const client = new Buttplug.ButtplugClient("plugwire interop (js)");
const added = [];
client.on("deviceadded", (device) => added.push(device.name));
await client.connect(new Buttplug.ButtplugNodeWebsocketClientConnector(url));

const devices = [...client.devices.values()];
assert.deepEqual(
  devices.map((d) => d.name),
  ["plugwire Simulated Vibrator", "plugwire Simulated Stroker", "plugwire Simulated Rotator"],
);
const [vibrator, stroker, rotator] = devices;
await vibrator.runOutput(Buttplug.DeviceOutput.Vibrate.percent(0.5));
assert.equal(await vibrator.battery(), 87);
await stroker.runOutput(Buttplug.DeviceOutput.HwPositionWithDuration.percent(0.5, 300));
await rotator.runOutput(Buttplug.DeviceOutput.Rotate.percent(0.25));
await client.startScanning();
await client.stopScanning();
await vibrator.stop();
await client.stopAllDevices();
await client.disconnect();
assert.deepEqual(added.length, 3);
console.log("javascript client: ok");
