// BEP 42: our external IPv4 address as the nodes that answer us report it (the `ip` field of responses).
import { isIPv4 } from '../net/address.js';
import { isBep42Exempt } from './node-id.js';

/** Voters remembered at most; the oldest vote goes first. */
const MAX_VOTERS = 64;
/** Voters that must agree, at least, besides being a strict majority. */
const MIN_AGREEING = 3;

export class ExternalIpVotes {
  /** voter host -> the ip it reported. */
  private readonly votes = new Map<string, string>();

  /**
   * Records that `voter` sees us as `ip`. True when `ip` now has a quorum: at least 3 voters and a strict majority.
   * Private and otherwise exempt addresses are not votes.
   */
  vote(voterHost: string, ip: string): boolean {
    if (!isIPv4(ip) || isBep42Exempt(ip)) return false;
    this.votes.set(voterHost, ip);
    if (this.votes.size > MAX_VOTERS) this.votes.delete(this.votes.keys().next().value as string);
    let agree = 0;
    for (const v of this.votes.values()) if (v === ip) agree++;
    return agree >= MIN_AGREEING && agree * 2 > this.votes.size;
  }
}
