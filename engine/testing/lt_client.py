#!/usr/bin/python3
"""Reference client for interop tests and benchmarks: libtorrent (python3-libtorrent) with one torrent.

Run with Debian's /usr/bin/python3 (python3-libtorrent is built for it only).
Usage: lt_client.py --role seed|leech --torrent FILE --data DIR --port N [--peer HOST:PORT ...] [--seed-mode]
Prints, one per line, flushed:
  listening <port>                          the TCP listen socket is up
  ready                                     seed: data checked and seeding
  progress <fraction> <downloaded> <uploaded> <peers>   every --interval seconds (payload bytes)
  finished                                  leech: all pieces downloaded and verified
  error <message>                           torrent, file or listen errors
  stats uploaded=N downloaded=M             on SIGINT/SIGTERM, then exit 0
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
    ap.add_argument("--role", choices=["seed", "leech"], required=True)
    ap.add_argument("--torrent", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--peer", action="append", default=[], help="host:port to connect to directly")
    ap.add_argument("--seed-mode", action="store_true", help="seed without checking the data (benchmarks)")
    ap.add_argument("--no-trackers", action="store_true", help="do not announce")
    ap.add_argument("--interval", type=float, default=0.5)
    ap.add_argument("--upload-limit", type=int, default=0, help="torrent upload limit in bytes/s (applies to loopback peers too)")
    ap.add_argument("--exit-on-finish", action="store_true", help="leech: exit as soon as the download is complete (benchmarks)")
    a = ap.parse_args()

    # Seeder: libtorrent's preset for serving many peers fast. Leecher: defaults.
    s = lt.high_performance_seed() if a.role == "seed" else lt.default_settings()
    s.update({
        "listen_interfaces": "127.0.0.1:%d" % a.port,
        "outgoing_interfaces": "",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        # Every peer on loopback is 127.0.0.1.
        "allow_multiple_connections_per_ip": True,
        # libtorrent silently drops requests past this depth; a peer without the Fast extension then stalls.
        "max_allowed_in_request_queue": 20000,
        "announce_to_all_tiers": True,
        "announce_to_all_trackers": True,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.storage_notification
        | lt.alert.category_t.tracker_notification,
    })
    ses = lt.session(s)

    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(a.torrent)
    atp.save_path = a.data
    if a.seed_mode:
        atp.flags |= lt.torrent_flags.seed_mode
    h = ses.add_torrent(atp)
    if a.upload_limit > 0:
        h.set_upload_limit(a.upload_limit)
    if a.no_trackers:
        h.replace_trackers([])

    stop = {"now": False}

    def on_signal(_sig, _frame):
        stop["now"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    peers = []
    for p in a.peer:
        host, _, port = p.rpartition(":")
        peers.append((host, int(port)))

    announced_ready = False
    finished = False
    last_progress = 0.0
    last_dial = 0.0
    while not stop["now"]:
        ses.wait_for_alert(100)
        for al in ses.pop_alerts():
            t = type(al).__name__
            if t == "listen_succeeded_alert":
                if getattr(al, "socket_type", None) in (lt.socket_type_t.tcp, None) or "TCP" in al.message():
                    out("listening %d" % al.port)
            elif t in ("listen_failed_alert", "torrent_error_alert", "file_error_alert", "hash_failed_alert",
                       "peer_error_alert", "tracker_error_alert"):
                out("error %s: %s" % (t, al.message()))
            elif t == "torrent_finished_alert" and a.role == "leech" and not finished:
                finished = True
                out("finished")
                if a.exit_on_finish:
                    # Everything must be on disk before we skip the session destructor below.
                    h.flush_cache()
                    deadline = time.monotonic() + 10
                    flushed = False
                    while not flushed and time.monotonic() < deadline:
                        ses.wait_for_alert(100)
                        flushed = any(type(x).__name__ == "cache_flushed_alert" for x in ses.pop_alerts())
                    stop["now"] = True
        st = h.status()
        if a.role == "seed" and not announced_ready and st.state == lt.torrent_status.seeding:
            announced_ready = True
            out("ready")
        now = time.monotonic()
        # Dial the given peers once the torrent is active, and again while we have no connection.
        if peers and st.state in (lt.torrent_status.downloading, lt.torrent_status.seeding, lt.torrent_status.finished):
            if last_dial == 0.0 or (st.num_peers == 0 and now - last_dial > 2.0):
                last_dial = now
                for ep in peers:
                    h.connect_peer(ep)
        if now - last_progress >= a.interval:
            last_progress = now
            out("progress %.4f %d %d %d" % (st.progress, st.total_payload_download, st.total_payload_upload, st.num_peers))

    st = h.status()
    out("stats uploaded=%d downloaded=%d" % (st.total_payload_upload, st.total_payload_download))
    sys.stdout.flush()
    # The session destructor can wait seconds for "stopped" announces even when the local tracker has answered:
    # skip it (nothing to save; tests restart from the data on disk).
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
