import { expect } from 'chai';
import { HandshakeMatcher } from '../../../src/sniffer/core/capture/handshake-matcher.js';
import type { ObservedConnection } from '../../../src/sniffer/core/observed.js';

const syn = (clientIP: string, serverIP: string, serverPort: number, seenAt: number): ObservedConnection =>
  ({ clientIP, serverIP, serverPort, source: 'SYN', seenAt });
const answerTo = (c: ObservedConnection, clientPort: number) => ({ serverIP: c.serverIP, serverPort: c.serverPort, clientIP: c.clientIP, clientPort });

describe('handshake matcher: a connection counts once the server answers', () => {
  it('hands over the SYN when its SYN-ACK comes, once, with the time of the first SYN', () => {
    const matcher = new HandshakeMatcher();
    const first = syn('10.244.1.5', '10.96.0.10', 5432, 1_000);
    matcher.syn(first, 40000);
    matcher.syn({ ...first, seenAt: 2_000 }, 40000); // a retransmission
    expect(matcher.answer(answerTo(first, 40000), 2_100)).to.deep.equal(first);
    expect(matcher.answer(answerTo(first, 40000), 2_200), 'a second copy of the SYN-ACK').to.equal(undefined);
    expect(matcher.size).to.equal(0);
    expect(matcher.takeCounts()).to.deep.equal({ unanswered: 0, evicted: 0 });
  });

  it('matches the exact four-tuple: another client port, server port or address is no answer', () => {
    const matcher = new HandshakeMatcher();
    const attempt = syn('fd00:244:1::5', 'fd00:10:96::1', 443, 1_000);
    matcher.syn(attempt, 40000);
    expect(matcher.answer(answerTo(attempt, 40001), 1_100)).to.equal(undefined);
    expect(matcher.answer({ ...answerTo(attempt, 40000), serverPort: 8443 }, 1_100)).to.equal(undefined);
    expect(matcher.answer({ ...answerTo(attempt, 40000), serverIP: 'fd00:10:96::2' }, 1_100)).to.equal(undefined);
    expect(matcher.answer(answerTo(attempt, 40000), 1_200)).to.deep.equal(attempt);
  });

  it('counts a SYN nobody answered within the limit as unanswered, and never hands it over', () => {
    const matcher = new HandshakeMatcher({ maxPending: 10, answerWithinMs: 5_000 });
    const refused = syn('10.244.1.5', '10.244.2.9', 5432, 1_000);
    matcher.syn(refused, 40000);
    matcher.expire(5_999);
    expect(matcher.size, 'still within the limit').to.equal(1);
    matcher.expire(6_000);
    expect(matcher.answer(answerTo(refused, 40000), 6_001)).to.equal(undefined);
    expect(matcher.takeCounts()).to.deep.equal({ unanswered: 1, evicted: 0 });
    expect(matcher.takeCounts(), 'taken once').to.deep.equal({ unanswered: 0, evicted: 0 });
  });

  it('never holds more than its bound: the oldest waiting SYN goes first and is counted', () => {
    const matcher = new HandshakeMatcher({ maxPending: 3, answerWithinMs: 60_000 });
    const attempts = [1, 2, 3, 4, 5].map((n) => syn('10.244.1.5', `10.244.2.${n}`, 80, 1_000 + n));
    attempts.forEach((a, i) => matcher.syn(a, 40000 + i));
    expect(matcher.size).to.equal(3);
    expect(matcher.takeCounts()).to.deep.equal({ unanswered: 0, evicted: 2 });
    expect(matcher.answer(answerTo(attempts[0]!, 40000), 2_000), 'evicted').to.equal(undefined);
    expect(matcher.answer(answerTo(attempts[4]!, 40004), 2_000)).to.deep.equal(attempts[4]);
  });
});
