import { describe, expect, it } from 'vitest';
import { traceContextOf } from './trace-context.js';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context from request headers', () => {
  it('keeps a version-00 traceparent and a tracestate that parse', () => {
    expect(traceContextOf(TP, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toEqual({ traceparent: TP, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' });
    expect(traceContextOf(TP, null)).toEqual({ traceparent: TP, tracestate: null });
    expect(traceContextOf(TP, 'acme@sys=v, x_y-z*/=1 ')).toEqual({ traceparent: TP, tracestate: 'acme@sys=v,x_y-z*/=1' });
  });

  it('drops a traceparent that does not parse, and the tracestate with it', () => {
    for (const tp of ['', 'garbage', `${TP}-x`, TP.toUpperCase(), TP.replace(/^00/, 'ff'), TP.replace(/-[0-9a-f]{32}-/, `-${'0'.repeat(32)}-`), TP.replace(/-[0-9a-f]{16}-/, `-${'0'.repeat(16)}-`)]) {
      expect(traceContextOf(tp, 'a=b'), tp).toEqual({ traceparent: null, tracestate: null });
    }
    expect(traceContextOf(null, 'a=b')).toEqual({ traceparent: null, tracestate: null });
  });

  it('drops a tracestate it cannot parse whole', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join(',');
    for (const ts of ['a=a=a=', 'UPPER=v', 'k=', 'k= ', 'k=v,k=w', ',', members(33), `k=${'v'.repeat(257)}`, `${members(30)},z=${'v'.repeat(250)},y=${'v'.repeat(250)}`]) {
      expect(traceContextOf(TP, ts).tracestate, ts.slice(0, 40)).toBeNull();
    }
    expect(traceContextOf(TP, members(32)).tracestate).toBe(members(32));
  });
});
