#!/usr/bin/python3
"""Reference client for interop tests and benchmarks: libtorrent (python3-libtorrent) with one torrent.

Run with Debian's /usr/bin/python3 (python3-libtorrent is built for it only).
Usage: lt_client.py --role seed|leech --torrent FILE --data DIR --port N [--bind ADDR] [--peer HOST:PORT ...] [--seed-mode]
       [--encryption forced|enabled|disabled]
       lt_client.py --role leech --magnet URI --data DIR --port N [--dht-bootstrap 127.0.0.1:PORT] [--enable-pex]
DHT (--dht-bootstrap) is only ever enabled with the given bootstrap nodes, never the public routers, and is tuned
for a private DHT where every node is 127.0.0.1 (no per-IP limits or rate-limit blocks).
Prints, one per line, flushed:
  listening <port>                          the TCP listen socket is up
  ready                                     seed: data checked and seeding
  metadata                                  --magnet: the info dict was received
  dht-nodes <n>                             with --dht-bootstrap: routing table size, when it changes
  dht-reply <n>                             with --dht-bootstrap: a DHT lookup for our torrent returned n peers
  peer-connected <host:port>                with --log-peers: a peer connection was established
  peer-disconnected <host:port> <why>      with --log-peers: a peer connection was closed
  progress <fraction> <downloaded> <uploaded> <peers>   every --interval seconds (payload bytes)
  finished                                  leech: all pieces downloaded and verified
  error <message>                           torrent, file or listen errors
  stats uploaded=N downloaded=M             on SIGINT/SIGTERM, then exit 0
"""
import argparse
import warnings
import os
import signal
import sys
import time

import libtorrent as lt


warnings.filterwarnings("ignore", category=DeprecationWarning)  # session.status() for the DHT node count


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--role", choices=["seed", "leech"], required=True)
    ap.add_argument("--torrent")
    ap.add_argument("--magnet", help="leech: add this magnet URI instead of --torrent (metadata from peers)")
    ap.add_argument("--dht-bootstrap", action="append", default=[],
                    help="host:port (or [::1]:port) of a loopback DHT node; enables the DHT with only these bootstrap nodes")
    ap.add_argument("--enable-pex", action="store_true", help="keep ut_pex on and log peers (it is a default plugin)")
    ap.add_argument("--no-pex", action="store_true", help="load libtorrent's plugins without ut_pex (it neither sends nor learns PEX)")
    ap.add_argument("--log-peers", action="store_true", help="print peer-connected and peer-disconnected lines")
    ap.add_argument("--data", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bind", default="127.0.0.1", help="listen address (a network-lab host's address); default loopback")
    ap.add_argument("--peer", action="append", default=[], help="host:port to connect to directly")
    ap.add_argument("--seed-mode", action="store_true", help="seed without checking the data (benchmarks)")
    ap.add_argument("--no-trackers", action="store_true", help="do not announce")
    ap.add_argument("--interval", type=float, default=0.5)
    ap.add_argument("--upload-limit", type=int, default=0, help="torrent upload limit in bytes/s (applies to loopback peers too)")
    ap.add_argument("--download-limit", type=int, default=0, help="torrent download limit in bytes/s (keeps a leech leeching)")
    ap.add_argument("--exit-on-finish", action="store_true", help="leech: exit as soon as the download is complete (benchmarks)")
    ap.add_argument("--utp-only", action="store_true",
                    help="uTP only: no TCP connections in or out (the TCP port is still bound: libtorrent opens its UDP port beside it)")
    ap.add_argument("--utp", action="store_true",
                    help="uTP on beside TCP, as libtorrent ships (dials uTP first, flags uTP peers in PEX)")
    ap.add_argument("--lsd", action="store_true",
                    help="local service discovery (BEP 14) on: multicasts on the LAN, so only inside a network-lab namespace")
    ap.add_argument("--encryption", choices=["forced", "enabled", "disabled"],
                    help="protocol encryption both ways; forced also allows RC4 only (default: libtorrent's, enabled with both levels)")
    ap.add_argument("--prefer-rc4", action="store_true",
                    help="pick RC4 when a peer offers RC4 and plaintext, as qBittorrent's 'prefer encryption' sets it (libtorrent's default picks plaintext)")
    a = ap.parse_args()
    if a.no_pex and a.enable_pex:
        ap.error("--no-pex and --enable-pex contradict each other")
    if a.utp_only and a.utp:
        ap.error("--utp-only and --utp contradict each other")
    if bool(a.torrent) == bool(a.magnet):
        ap.error("give exactly one of --torrent and --magnet")
    for b in a.dht_bootstrap:
        if not (b.startswith("127.") or b.startswith("[::1]:")):
            ap.error("--dht-bootstrap must be a loopback address, 127.x or [::1] (tests never touch the public DHT)")

    # Seeder: libtorrent's preset for serving many peers fast. Leecher: defaults.
    s = lt.high_performance_seed() if a.role == "seed" else lt.default_settings()
    s.update({
        "listen_interfaces": ("[%s]:%d" if ":" in a.bind else "%s:%d") % (a.bind, a.port),
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
        | lt.alert.category_t.tracker_notification
        | (lt.alert.category_t.dht_notification if a.dht_bootstrap else 0)
        | (lt.alert.category_t.connect_notification if (a.log_peers or a.enable_pex) else 0),
    })
    if a.lsd:
        s.update({"enable_lsd": True})
    if a.utp:
        s.update({"enable_incoming_utp": True, "enable_outgoing_utp": True})
    if a.utp_only:
        s.update({
            "enable_incoming_tcp": False,
            "enable_outgoing_tcp": False,
            "enable_incoming_utp": True,
            "enable_outgoing_utp": True,
        })
    if a.encryption:
        policy = getattr(lt.enc_policy, a.encryption)
        s.update({
            "out_enc_policy": policy,
            "in_enc_policy": policy,
            "allowed_enc_level": lt.enc_level.rc4 if a.encryption == "forced" else lt.enc_level.both,
            "prefer_rc4": a.encryption == "forced",
        })
    if a.prefer_rc4:
        s.update({"prefer_rc4": True})
    if a.dht_bootstrap:
        s.update({
            "enable_dht": True,
            # Only the given loopback nodes: no public routers.
            "dht_bootstrap_nodes": ",".join(a.dht_bootstrap),
            # Every node of the private DHT is 127.0.0.1: no one-node-per-IP rules, no per-IP rate-limit blocks.
            "dht_restrict_routing_ips": False,
            "dht_restrict_search_ips": False,
            "dht_ignore_dark_internet": False,
            "dht_enforce_node_id": False,
            "dht_prefer_verified_node_ids": False,
            "dht_block_ratelimit": 100000,
            "dht_upload_rate_limit": 1000000,
            "dht_max_peers_reply": 200,
            "dht_max_fail_count": 100,
            "dht_aggressive_lookups": True,
            # Announce soon and often (the default is every 15 minutes).
            "dht_announce_interval": 5,
        })
    if a.no_pex:
        ses = lt.session(s, lt.session_flags_t.start_default_features)
        ses.add_extension("ut_metadata")
        ses.add_extension("smart_ban")
    else:
        ses = lt.session(s)

    if a.magnet:
        atp = lt.parse_magnet_uri(a.magnet)
    else:
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(a.torrent)
    atp.save_path = a.data
    if a.seed_mode:
        atp.flags |= lt.torrent_flags.seed_mode
    h = ses.add_torrent(atp)
    if a.upload_limit > 0:
        h.set_upload_limit(a.upload_limit)
    if a.download_limit > 0:
        h.set_download_limit(a.download_limit)
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
        peers.append((host.strip("[]"), int(port)))  # "[::1]:6881" names an IPv6 peer

    announced_ready = False
    finished = False
    last_progress = 0.0
    last_dial = 0.0
    last_dht_nodes = -1
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
            elif t == "metadata_received_alert":
                out("metadata")
            elif t == "dht_reply_alert":
                out("dht-reply %d" % al.num_peers)
            elif t == "peer_connect_alert" or t == "incoming_connection_alert":
                if a.log_peers or a.enable_pex:
                    out("peer-connected %s:%d (%s)" % (al.endpoint[0] if hasattr(al, "endpoint") else al.ip[0],
                                                      al.endpoint[1] if hasattr(al, "endpoint") else al.ip[1], t))
            elif t == "peer_disconnected_alert" and a.log_peers:
                out("peer-disconnected %s:%d %s" % (al.endpoint[0], al.endpoint[1], al.message()))
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
        if a.dht_bootstrap:
            n = ses.status().dht_nodes
            if n != last_dht_nodes:
                last_dht_nodes = n
                out("dht-nodes %d" % n)
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
