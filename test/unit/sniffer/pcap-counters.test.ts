import { expect } from 'chai';
import { counterDelta, PcapCounterTotals } from '../../../src/sniffer/core/capture/pcap-counters.js';

describe('sniffer pcap counters', () => {
  it('measures how far a 32-bit counter moved, across a wrap', () => {
    expect(counterDelta(10, 25)).to.equal(15);
    expect(counterDelta(7, 7)).to.equal(0);
    expect(counterDelta(2 ** 32 - 5, 3)).to.equal(8);
  });

  it('keeps totals that only grow while libpcap counters wrap', () => {
    const totals = new PcapCounterTotals();
    expect(totals.update({ received: 100, dropped: 0, ifDropped: 1 })).to.deep.equal({ received: 100, dropped: 0, ifDropped: 1 });
    expect(totals.update({ received: 2 ** 32 - 1, dropped: 4, ifDropped: 1 })).to.deep.equal({ received: 2 ** 32 - 101, dropped: 4, ifDropped: 0 });
    expect(totals.update({ received: 9, dropped: 4, ifDropped: 3 })).to.deep.equal({ received: 10, dropped: 0, ifDropped: 2 });
    expect(totals.current()).to.deep.equal({ received: 2 ** 32 + 9, dropped: 4, ifDropped: 3 });
  });

  it('hands out copies, not its state', () => {
    const totals = new PcapCounterTotals();
    totals.update({ received: 5, dropped: 1, ifDropped: 0 });
    const seen = totals.current();
    seen.received = 1000;
    expect(totals.current().received).to.equal(5);
  });
});
