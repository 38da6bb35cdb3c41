#!/usr/bin/python3
"""A swarm of libtorrent seeders in ONE process, for many-peer benchmarks and tests: --count sessions, each seeding
the same torrent from the same data (seed mode, no check) on its own loopback port (--port, --port+1, ..., or any free ones), each
capped at --upload-limit bytes/s, announcing to the torrent's trackers.

Run with Debian's /usr/bin/python3 (python3-libtorrent is built for it only).
Usage: lt_swarm.py --torrent FILE --data DIR --port FIRST --count N [--upload-limit BYTES_PER_S]
Prints, flushed: "ready <n>" once every seeder is seeding; "stats uploaded=<bytes>" on SIGINT/SIGTERM, then exits 0.
"""
import argparse
import os
import signal
import sys
import time

import libtorrent as lt


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--torrent", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--port", type=int, required=True, help="first listen port; seeder i listens on port+i (0: any free ports)")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--upload-limit", type=int, default=0, help="per-seeder upload limit in bytes/s (0: none)")
    a = ap.parse_args()
    if not 1 <= a.count <= 200:
        ap.error("--count must be 1..200")

    info = lt.torrent_info(a.torrent)
    handles = []
    sessions = []
    for i in range(a.count):
        s = lt.default_settings()
        s.update({
            "listen_interfaces": "127.0.0.1:%d" % (a.port + i if a.port else 0),
            "outgoing_interfaces": "",
            "enable_dht": False,
            "enable_lsd": False,
            "enable_upnp": False,
            "enable_natpmp": False,
            "enable_incoming_utp": False,
            "enable_outgoing_utp": False,
            "allow_multiple_connections_per_ip": True,
            "max_allowed_in_request_queue": 20000,
            "unchoke_slots_limit": -1,
            "alert_mask": lt.alert.category_t.error_notification,
        })
        ses = lt.session(s)
        atp = lt.add_torrent_params()
        atp.ti = info
        atp.save_path = a.data
        atp.flags |= lt.torrent_flags.seed_mode
        h = ses.add_torrent(atp)
        if a.upload_limit > 0:
            h.set_upload_limit(a.upload_limit)
        sessions.append(ses)
        handles.append(h)

    stop = {"now": False}

    def on_signal(_sig, _frame):
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    ready = False
    while not stop["now"]:
        time.sleep(0.2)
        for ses in sessions:
            for al in ses.pop_alerts():
                out("error %s: %s" % (type(al).__name__, al.message()))
        if not ready and all(h.status().state == lt.torrent_status.seeding for h in handles):
            ready = True
            out("ready %d" % len(handles))
    out("stats uploaded=%d" % sum(h.status().total_payload_upload for h in handles))
    # Skip the session destructors (they wait for "stopped" announces).
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
