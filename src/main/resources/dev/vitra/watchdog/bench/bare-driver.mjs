// Drives the bare runs of `bench contract` (see bare-contract.mjs): parses the op, builds the ack, calls the handler of
// the contract module ('subject', evaluated once), and commits the changes it queued, sorted by path; spells them out
// only when asked (for the comparison with the runtime), so that the measured runs do no more than they must.
import * as subject from 'subject';
import { commit, normal } from 'contract';

export function applyBare(opText, origin, seq, ts, firstSeq, spellChanges) {
  const op = JSON.parse(opText);
  const ack = { origin, seq, ts };
  const actions = new Map();
  const tx = {
    put(path, value) {
      const text = JSON.stringify(value);
      if (text === undefined) throw new Error('value of type ' + typeof value + ' cannot be stored');
      actions.set(normal(path), text);
    },
    delete(path) {
      actions.set(normal(path), null);
    }
  };
  const box = { changes: undefined, error: undefined };
  const finish = () => {
    const changes = [...actions.keys()].sort().map((path) => [path, actions.get(path)]);
    commit(changes, firstSeq);
    if (!spellChanges) {
      box.changes = '';
      return;
    }
    let text = '[';
    for (const [path, value] of changes) {
      text += (text.length > 1 ? ',[' : '[') + JSON.stringify(path) + ',' + (value === null ? 'null' : value) + ']';
    }
    box.changes = text + ']';
  };
  const fail = (e) => {
    box.error = String(e);
  };
  try {
    const apply = subject.apply;
    const result = typeof apply === 'function' ? apply(tx, op, ack) : apply[op.op](tx, op, ack);
    Promise.resolve(result).then(finish).catch(fail);
  } catch (e) {
    fail(e);
  }
  return box; // settled once the host call returns and the job queue has run
}
