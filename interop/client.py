"""Drives a plugwire server with the published Python client (PyPI "buttplug").

Usage: python3 client.py ws://127.0.0.1:PORT — exits non-zero on any mismatch.
"""

import asyncio
import sys

from buttplug import ButtplugClient, DeviceOutputCommand, OutputType


async def main(url: str) -> None:
    client = ButtplugClient("plugwire interop (python)")
    await client.connect(url)
    assert client.server_name == "plugwire", client.server_name
    names = [d.name for d in client.devices.values()]
    assert names == [
        "plugwire Simulated Vibrator",
        "plugwire Simulated Stroker",
        "plugwire Simulated Rotator",
    ], names
    vibrator, stroker, rotator = (client.devices[i] for i in range(3))
    await vibrator.run_output(DeviceOutputCommand(OutputType.VIBRATE, 0.5))
    battery = await vibrator.battery()
    assert abs(battery - 0.87) < 1e-9, battery
    await stroker.run_output(DeviceOutputCommand(OutputType.POSITION_WITH_DURATION, 0.5, 300))
    await rotator.run_output(DeviceOutputCommand(OutputType.ROTATE, 0.25))
    await client.start_scanning()
    await client.stop_scanning()
    await vibrator.stop()
    await client.stop_all_devices()
    await client.disconnect()
    print("python client: ok")


asyncio.run(main(sys.argv[1]))
