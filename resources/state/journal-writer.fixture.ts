// Test fixture (spawned, never imported): writes to a journaled store forever, printing each write before and after it is acknowledged.
import { ItemType } from './conformance/fixture.js';
import { openPersistentState } from './persistent.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: journal-writer.fixture.js DIR');
const state = await openPersistentState({ dir, namespaces: ['config'], types: [ItemType] });
const ptr = (id: string) => ({ namespace: 'config', type: ItemType.type, id });
// Continue from what a previous run left, so every run also exercises loading.
let n =
  Math.max(
    0,
    ...(await state.list({ namespace: 'config', type: ItemType.type })).map((r) => (r.spec as { value: number }).value),
  ) + 1;
for (;;) {
  const id = `k${n % 17}`;
  const cur = await state.get(ptr(id)).catch(() => undefined);
  if (cur !== undefined && n % 5 === 0) {
    process.stdout.write(`begin ${id} del\n`);
    await state.destroy(ptr(id));
    process.stdout.write(`ack ${id} del\n`);
  } else {
    process.stdout.write(`begin ${id} ${n}\n`);
    const input = { metadata: { ...ptr(id), version: cur?.metadata.version ?? 0 }, spec: { value: n } };
    await (cur === undefined ? state.create(input) : state.update(input));
    process.stdout.write(`ack ${id} ${n}\n`);
  }
  n++;
}
