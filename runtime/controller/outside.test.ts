// Outside event sources: a controller's watchOutside signals passes, is restarted with a resync when it fails, and ends on abort.
import { expect } from 'chai';
import type { ControllerContext } from './context.js';
import type { Controller } from './controller.js';
import { useHarness, valueType } from './testing.js';

const Out = valueType('OutsideValue');

/** A controller that copies an outside counter into a resource whenever its source says it changed. */
class Mirror implements Controller {
  readonly name = 'test.MirrorController';
  readonly inputs = [];
  readonly outputs = [{ type: Out.type, kind: 'exclusive' as const }];
  outsideValue = 0;
  starts = 0;
  emit: (() => void) | undefined;
  failNext = false;

  async reconcile(ctx: ControllerContext): Promise<void> {
    await ctx.modify(Out, 'test', 'mirror', () => ({ value: String(this.outsideValue) }));
  }

  watchOutside(signal: AbortSignal, changed: () => void): Promise<void> {
    this.starts++;
    return new Promise<void>((resolve, reject) => {
      this.emit = () => {
        if (this.failNext) {
          this.failNext = false;
          reject(new Error('source lost'));
        } else changed();
      };
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
    });
  }
}

describe('controller outside event sources', () => {
  const h = useHarness({ types: [Out] });
  const mirror = { namespace: 'test', type: Out.type, id: 'mirror' };
  const valueIs = (v: string) => (r: { spec: unknown } | undefined) =>
    (r?.spec as { value?: string } | undefined)?.value === v;

  it('signals a pass when the outside world changes, and restarts a failed source with a resync', async () => {
    const c = new Mirror();
    h().runtime.register(c);
    h().start();
    await h().waitFor(mirror, valueIs('0'));
    c.outsideValue = 7;
    c.emit?.();
    await h().waitFor(mirror, valueIs('7'));
    // The source fails while the outside changed: the restart resyncs, so the change is not lost.
    c.outsideValue = 9;
    c.failNext = true;
    c.emit?.();
    await h().waitFor(mirror, valueIs('9'));
    await h().until(() => c.starts === 2, 'the source to be restarted');
    await h().stop();
    expect(h().runtime.stats().get(c.name)?.crashes).to.equal(0);
  });
});
