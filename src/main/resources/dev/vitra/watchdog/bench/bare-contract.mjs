// The 'contract' module of `bench contract`'s bare runs (ContractBench.BareContract): a contract's handlers run with
// nothing around them, to measure what its own JavaScript costs on this engine. The index lives in guest memory; a
// read builds {path, name, value, seq} (children: with "container") around the stored value's JSON text, parsed on
// every read, since values reach a contract as JSON in any runtime that keeps them so. Only the value is parsed, not
// the wrapper the real host spells out: the bare run is meant to be the cheapest way to do the contract's work. It
// lists values only; listing a prefix with deeper paths under it is refused rather than answered wrongly.
const values = new Map(); // path -> [value JSON text, seq]
const children = new Map(); // parent path -> Set of names that hold a value
const hasContainers = new Set(); // prefixes with deeper paths under them

export function normal(path) {
  return path[0] === '/' ? path : '/' + path;
}

export const index = {
  get(path) {
    const p = normal(path);
    const stored = values.get(p);
    return stored === undefined ? undefined
      : { path: p, name: p.slice(p.lastIndexOf('/') + 1), value: JSON.parse(stored[0]), seq: stored[1] };
  },
  list(prefix) {
    const parent = normal(prefix);
    if (parent === '/' || hasContainers.has(parent)) throw new Error('the bare index lists values only, and ' + parent + ' has deeper paths');
    const names = children.get(parent);
    if (names === undefined) return [];
    const out = [];
    for (const name of [...names].sort()) {
      const path = parent + '/' + name;
      const stored = values.get(path);
      out.push({ path, name, value: JSON.parse(stored[0]), seq: stored[1], container: false });
    }
    return out;
  }
};

export function listOplogs() {
  return [];
}

export const isWriter = false;

/** Commits a transaction's changes ([path, value JSON or null], ...); the i-th was written at position firstSeq + i. */
export function commit(changes, firstSeq) {
  for (let i = 0; i < changes.length; i++) {
    const [path, value] = changes[i];
    const cut = path.lastIndexOf('/');
    const parent = path.slice(0, cut);
    const name = path.slice(cut + 1);
    for (let up = parent.lastIndexOf('/'); up > 0; up = parent.lastIndexOf('/', up - 1)) {
      hasContainers.add(parent.slice(0, up));
    }
    let names = children.get(parent);
    if (names === undefined) {
      names = new Set();
      children.set(parent, names);
    }
    if (value === null) {
      values.delete(path);
      names.delete(name);
    } else {
      values.set(path, [value, firstSeq + i]);
      names.add(name);
    }
  }
}
