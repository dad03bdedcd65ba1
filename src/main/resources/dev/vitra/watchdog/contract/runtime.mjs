// Vitra contract runtime: evaluated once per sandbox context, before any contract code.
// It captures the host bridge and pristine intrinsics, installs the determinism guards, and
// implements the transaction API of PROTOCOL §4. Values cross to the host only as strings.
'use strict';

const bridge = globalThis.__vitraBridge;
delete globalThis.__vitraBridge;
// Looked up once: a member lookup on the host object per read is a measurable part of a transaction.
const bridgeIndexGet = bridge.indexGet;
const bridgeIndexList = bridge.indexList;
const bridgeGenUUID = bridge.genUUID;

// ---- Pristine intrinsics: contract code may tamper with the globals, never with these. ----
const jsonParse = JSON.parse;
const jsonStringify = JSON.stringify;
const ObjectCreate = Object.create;
const ObjectFreeze = Object.freeze;
const ObjectIsExtensible = Object.isExtensible;
const ReflectOwnKeys = Reflect.ownKeys;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const ReflectApply = Reflect.apply;
const ReflectConstruct = Reflect.construct;
const hasOwn = Object.hasOwn;
const StringCtor = String;
const ErrorCtor = Error;
const RangeErrorCtor = RangeError;
const PromiseResolve = Promise.resolve.bind(Promise);
const PromiseThen = Promise.prototype.then;
const isArray = Array.isArray;
const MathRandom = Math.random;
const RealDate = Date;
const RealDateNow = Date.now;
const arrayPush = Array.prototype.push;
const arraySort = Array.prototype.sort;
const arraySplit = String.prototype.split;
const arrayJoin = Array.prototype.join;
const StringCharCodeAt = String.prototype.charCodeAt;
const StringSlice = String.prototype.slice;
const StringIndexOf = String.prototype.indexOf;
const ObjectKeys = Object.keys;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectSetPrototypeOf = Object.setPrototypeOf;
const SyntaxErrorCtor = SyntaxError;
const RegExpTestEarly = RegExp.prototype.test;
const DEPTH_MESSAGE = /nested that deep|Maximum call stack size exceeded|too deep|too much recursion/;
// A code point this engine's Unicode version does not assign: engines with a newer Unicode version case-map and classify
// it differently (toUpperCase, \p{L}, ...), so a transaction whose data holds one is engine-dependent.
const UNASSIGNED = /\p{Cn}/u;
const UNICODE_FEATURE = 'a code point this engine\'s Unicode version does not assign';
// JSON text may spell a code point as an escape (\u0378): then the test runs on the text re-serialised, where
// JSON.stringify writes such characters as themselves.
function markIfUnassigned(text) {
  if (typeof text !== 'string') return;
  let found = call(RegExpTestEarly, UNASSIGNED, text);
  if (!found && call(StringIndexOf, text, '\\u') >= 0) {
    try {
      found = call(RegExpTestEarly, UNASSIGNED, jsonStringify(jsonParse(text)));
    } catch (e) {
      found = false; // not JSON: the caller reports that
    }
  }
  if (found) markEngineDependent(UNICODE_FEATURE);
}

function call(fn, self, ...args) {
  return ReflectApply(fn, self, args);
}

// The runtime's wrappers of built-ins print like the built-ins they stand for (Function.prototype.toString, below):
// on any other engine those are native functions, and a contract may look.
const WeakMapGet = WeakMap.prototype.get;
const WeakMapSet = WeakMap.prototype.set;
const nativeNames = new WeakMap();
function asNative(fn, name) {
  call(WeakMapSet, nativeNames, fn, name);
  return fn;
}

// ---- Determinism guards (PROTOCOL §4): inside apply() and contract loading for apply. ----
let deterministic = false;

// The transaction being applied, if any: its failure and limit flags are sticky, so a contract that
// catches the error of a refused action cannot turn a failed op into a successful one (PROTOCOL §4:
// "the op fails").
let current = null;

function failOp(message) {
  if (current !== null && current.failure === null) current.failure = message;
  throw new ErrorCtor(message);
}

function hitLimit(reason, message) {
  if (current !== null && current.limit === null) current.limit = [reason, message];
  throw new ErrorCtor(message);
}

function refuse(what) {
  if (deterministic) {
    failOp(what + ' is not available inside apply(): it is not deterministic');
  }
}

// Wrappers are written as methods: like built-in functions they have no prototype and are not constructors.
Object.defineProperty(Math, 'random', {
  value: asNative({
    random() {
      refuse('Math.random()');
      return MathRandom();
    }
  }.random, 'random'),
  writable: true, enumerable: false, configurable: true
});

// Set once the engine-dependence marking is defined (below): new Date(string) parses like Date.parse.
let dateStringHook = (value) => {};
const SafeDate = asNative(function Date(...args) {
  if (new.target === undefined) {
    refuse('Date()');
    return ReflectApply(RealDate, undefined, []);
  }
  if (args.length === 0) {
    refuse('new Date() without arguments');
  } else if (args.length === 1) {
    dateStringHook(args[0]);
  }
  return ReflectConstruct(RealDate, args, new.target);
}, 'Date');
// The same own properties as the built-in Date: length 7, prototype, and UTC, parse, now (not enumerable).
Object.defineProperty(SafeDate, 'length', { value: 7 });
Object.defineProperty(SafeDate, 'prototype', { value: RealDate.prototype, writable: false });
Object.defineProperty(SafeDate, 'UTC', { value: RealDate.UTC, writable: true, enumerable: false, configurable: true });
Object.defineProperty(SafeDate, 'parse', { value: RealDate.parse, writable: true, enumerable: false, configurable: true });
Object.defineProperty(SafeDate, 'now', {
  value: asNative({
    now() {
      refuse('Date.now()');
      return call(RealDateNow, RealDate);
    }
  }.now, 'now'),
  writable: true, enumerable: false, configurable: true
});
Object.defineProperty(RealDate.prototype, 'constructor', { value: SafeDate, writable: true, configurable: true });
globalThis.Date = SafeDate;

// Intl date formatting without a date reads the clock.
if (typeof Intl === 'object' && Intl !== null && typeof Intl.DateTimeFormat === 'function') {
  const proto = Intl.DateTimeFormat.prototype;
  const formatGetter = ReflectGetOwnPropertyDescriptor(proto, 'format').get;
  const formatToParts = proto.formatToParts;
  Object.defineProperty(proto, 'format', {
    get() {
      const bound = call(formatGetter, this);
      return function format(date) {
        if (date === undefined) refuse('Intl.DateTimeFormat format() without a date');
        return bound(date);
      };
    },
    configurable: true
  });
  Object.defineProperty(proto, 'formatToParts', {
    value: asNative({
      formatToParts(date) {
        if (date === undefined) refuse('Intl.DateTimeFormat formatToParts() without a date');
        return call(formatToParts, this, date);
      }
    }.formatToParts, 'formatToParts'),
    writable: true,
    configurable: true
  });
}

for (const timer of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval']) {
  globalThis[timer] = asNative({
    [timer]() {
      throw new ErrorCtor(timer + ' is not available to contracts: there is no event loop');
    }
  }[timer], timer);
}

// ---- Paths (PROTOCOL §4). ----
function normalizePath(path, forWrite) {
  if (typeof path !== 'string') {
    failOp('path must be a string, got ' + typeof path);
  }
  // Split on '/', drop empty segments, rejoin. Written with language primitives (indexing, comparison, +) and
  // captured functions only, because it also runs after contract code that may have replaced String.prototype
  // methods (in the unfrozen probe). Most paths are already normal: they are returned as they are.
  const length = path.length;
  let normal = length > 1 && path[0] === '/' && path[length - 1] !== '/';
  for (let i = 1; normal && i < length; i++) {
    if (path[i] === '/' && path[i - 1] === '/') normal = false;
  }
  let normalized;
  let firstIsSys;
  if (normal) {
    normalized = path;
    firstIsSys = length >= 5 && path[1] === '.' && path[2] === 's' && path[3] === 'y' && path[4] === 's'
      && (length === 5 || path[5] === '/');
  } else {
    normalized = '';
    let first = null;
    let start = 0;
    for (let i = 0; i <= length; i++) {
      if (i === length || path[i] === '/') {
        if (i > start) {
          const segment = call(StringSlice, path, start, i);
          if (first === null) first = segment;
          normalized += '/' + segment;
        }
        start = i + 1;
      }
    }
    if (first === null) {
      failOp('path "' + path + '" normalises to "/", which is not a key');
    }
    firstIsSys = first === '.sys';
  }
  if (forWrite && firstIsSys) {
    failOp('path "' + normalized + '" is under /.sys, which contracts cannot write');
  }
  return normalized;
}

function isLowerHex64(s) {
  if (typeof s !== 'string' || s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = call(StringCharCodeAt, s, i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

// ---- Index reads, as of the start of the transaction, through the host. ----
// The API objects are frozen by lockdown() with the rest of the realm (and left alone in the unfrozen probe, which
// must show whether an outcome depends on them being frozen).
const index = {
  get: function get(path) {
    const text = bridgeIndexGet(normalizePath(path, false));
    markIfUnassigned(text);
    return text == null ? undefined : jsonParse(text);
  },
  list: function list(prefix) {
    const text = bridgeIndexList(normalizePath(prefix, false));
    markIfUnassigned(text);
    return jsonParse(text);
  }
};

function listOplogs() {
  const inputs = jsonParse(bridgeIndexList('/.sys/inputs'));
  const ids = [];
  for (let i = 0; i < inputs.length; i++) {
    const v = inputs[i].value;
    if (v !== null && typeof v === 'object' && v.active === true) {
      call(arrayPush, ids, inputs[i].name);
    }
  }
  return call(arraySort, ids);
}

// ---- The transaction (PROTOCOL §4). ----
const MAX_ENTRY_BYTES = 65535;
// The ASCII around the path and value in an index entry: {"type":"put","path":…,"value":…} and {"type":"del","path":…}.
const ENTRY_PUT_OVERHEAD = '{"type":"put","path":,"value":}'.length;
const ENTRY_DEL_OVERHEAD = '{"type":"del","path":}'.length;

/** GraalJS's own nesting limits (JSON, the stack): engine limits, never an op's outcome (PROTOCOL §4). */
function isDepthError(e) {
  try {
    if (!(e instanceof RangeErrorCtor || e instanceof SyntaxErrorCtor || e instanceof ErrorCtor)) return false;
    const m = e.message;
    return typeof m === 'string' && (call(RegExpTestEarly, DEPTH_MESSAGE, m));
  } catch (inner) {
    return false;
  }
}

function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = call(StringCharCodeAt, s, i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (call(StringCharCodeAt, s, i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

function makeTx(state, maxChanges) {
  // Actions live in a prototype-less object: plain property reads and writes, nothing a contract can hook.
  const actions = ObjectCreate(null);
  let count = 0;
  const queue = (path, action) => {
    if (!(path in actions)) {
      count++;
      if (count > maxChanges) {
        hitLimit('CHANGE_LIMIT', 'transaction has more than ' + maxChanges + ' changes, the monitor\'s limit');
      }
    }
    actions[path] = action;
  };
  const stringifyValue = (value) => {
    let text;
    try {
      text = jsonStringify(value);
    } catch (e) {
      if (isDepthError(e)) {
        hitLimit('JSON_DEPTH', 'the value nests deeper than this engine can stringify');
      }
      failOp('value cannot be stored: ' + describeThrown(e)[1]);
    }
    if (text === undefined) {
      failOp('value of type ' + typeof value + ' cannot be stored: JSON.stringify returns undefined');
    }
    return text;
  };
  const pubkeyOf = (arg, what) => {
    const pubkey = arg == null ? undefined : arg.pubkey;
    if (!isLowerHex64(pubkey)) {
      failOp(what + ' needs {pubkey} as 64 lowercase hex digits');
    }
    return pubkey;
  };
  // A new object per transaction, as ordinary as on any engine: a contract may add to it or replace its methods
  // (that changes only what the contract itself calls; the runtime keeps its own closures).
  const tx = ({
    put(key, value) {
      const path = normalizePath(key, true);
      queue(path, ['put', stringifyValue(value)]);
    },
    delete(key) {
      queue(normalizePath(key, true), ['del', null]);
    },
    get(key) {
      const path = normalizePath(key, false);
      if (!(path in actions)) return undefined;
      const a = actions[path];
      return a[0] === 'put' ? { type: 'put', value: jsonParse(a[1]) } : { type: 'del' };
    },
    addOplog(arg) {
      const pubkey = pubkeyOf(arg, 'addOplog');
      queue('/.sys/inputs/' + pubkey, ['put', '{"pubkey":"' + pubkey + '","active":true}']);
    },
    removeOplog(arg) {
      const pubkey = pubkeyOf(arg, 'removeOplog');
      queue('/.sys/inputs/' + pubkey, ['put', '{"pubkey":"' + pubkey + '","active":false}']);
    },
    setContractSource(arg) {
      const code = arg == null ? undefined : arg.code;
      if (typeof code !== 'string' || code.length === 0) {
        failOp('setContractSource needs {code} as a non-empty string');
      }
      queue('/.sys/contract/source', ['put', jsonStringify(code)]);
    }
  });
  // The changes cross to the host as one string, each "p" or "d", then the path, its JSON spelling and (for a put)
  // the value's JSON text, each as length ":" text: one host read per transaction instead of four per change.
  const changes = () => {
    const paths = ObjectKeys(actions);
    call(arraySort, paths); // default sort compares UTF-16 code units, as PROTOCOL §3 orders changes
    let out = '';
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i];
      const a = actions[path];
      const quoted = jsonStringify(path);
      const put = a[0] === 'put';
      const entryLength = (put ? ENTRY_PUT_OVERHEAD + a[1].length : ENTRY_DEL_OVERHEAD) + quoted.length;
      // No UTF-16 code unit takes more than 3 bytes of UTF-8: only long entries need counting.
      if (entryLength * 3 > MAX_ENTRY_BYTES) {
        const bytes = (put ? ENTRY_PUT_OVERHEAD + utf8Length(a[1]) : ENTRY_DEL_OVERHEAD) + utf8Length(quoted);
        if (bytes > MAX_ENTRY_BYTES) {
          return ['failed', 'change to ' + path + ' is ' + bytes + ' bytes as an index entry, more than 65535'];
        }
      }
      out += (put ? 'p' : 'd') + path.length + ':' + path + quoted.length + ':' + quoted
        + (put ? a[1].length + ':' + a[1] : '');
    }
    return ['ok', out];
  };
  return { tx, changes };
}

// ---- Outcomes cross to the host as plain arrays: [kind, payload...]. ----
function describeThrown(e) {
  try {
    if (e instanceof RangeErrorCtor && e.message === 'Maximum call stack size exceeded') {
      // Stack depth depends on the JVM and on what is compiled, so it cannot decide an outcome.
      return ['limit', 'STACK_DEPTH', 'contract exceeded the stack depth'];
    }
    if (e instanceof ErrorCtor) return ['failed', StringCtor(e.message)];
    return ['failed', 'non-Error value thrown: ' + StringCtor(e)];
  } catch (inner) {
    return ['failed', 'non-Error value thrown (not printable)'];
  }
}

const TypeErrorIntrinsic = TypeError;
const RegExpTest = RegExp.prototype.test;
// GraalJS's wording for writes to frozen or non-extensible objects (and the taming setter's).
const FROZEN_WRITE = /^Cannot (assign|add|redefine|delete|define|set|change|modify)\b|not extensible|non-extensible|read[- ]only|not a configurable|not configurable|non-configurable|non-writable|not writable|frozen|setPrototype failed|prototype of .* cannot/;

/** The op failed by writing to an object that cannot change: in this realm, that is how touching a built-in fails. */
function modifiesFrozen(e) {
  try {
    return e instanceof TypeErrorIntrinsic && typeof e.message === 'string' && call(RegExpTest, FROZEN_WRITE, e.message);
  } catch (inner) {
    return false;
  }
}

// Settles a possibly-async result; the host drains the job queue when the call returns, so a promise
// that is still pending afterwards waited for something that will never happen. `finish` turns the
// settled result (or the thrown value) into the outcome, consulting the sticky flags first.
function settle(value, threw, finish) {
  const box = { state: 'pending', value: undefined };
  const done = (ok, v) => {
    try {
      box.value = finish(ok, v);
    } catch (e) {
      box.value = describeThrown(e);
    }
    box.state = 'done';
  };
  if (threw) {
    done(false, value);
  } else if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    let then;
    try {
      then = value.then;
    } catch (e) {
      done(false, e);
      return box;
    }
    if (typeof then === 'function') {
      call(PromiseThen, PromiseResolve(value), (v) => done(true, v), (e) => done(false, e));
    } else {
      done(true, value);
    }
  } else {
    done(true, value);
  }
  return box;
}

let contractApi = null;

const api = {
  index,
  listOplogs: listOplogs,
  genUUID: (function genUUID() {
    refuse('genUUID()');
    return bridgeGenUUID();
  }),
  register(hooks) {
    contractApi = hooks;
  }
};
globalThis.__vitraContractApi = api;

// ---- Entry points called by the host (ContractSession). ----
export function seal() {
  delete globalThis.__vitraContractApi;
}

/**
 * Called before the contract module is evaluated, so its top-level code already sees the right mode; for apply()
 * it also opens the transaction's sticky state.
 */
export function prepare(isDeterministic, isWriter) {
  deterministic = isDeterministic;
  // Every call gets sticky state: limits (JSON depth, BigInt length) hold in call() and process() too.
  current = { failure: null, limit: null, engineDependent: [] };
  contractApi.setIsWriter(isWriter === true);
}

export function runApply(ns, opText, ackText, maxChanges) {
  const state = current;
  const { tx, changes } = makeTx(state, maxChanges);
  const finish = (ok, v) => {
    current = null;
    if (state.limit !== null) return ['limit', state.limit[0], state.limit[1]];
    const features = state.engineDependent;
    if (state.failure !== null) return ['failed', state.failure, features];
    if (!ok) {
      const thrown = describeThrown(v);
      if (thrown[0] === 'failed' && modifiesFrozen(v)) {
        // An unfrozen engine would have let it modify the built-in (PROTOCOL §4: engine-dependent, never fraud).
        if (features.indexOf('modifies a frozen built-in') < 0) call(arrayPush, features, 'modifies a frozen built-in');
      }
      return thrown[0] === 'failed' ? ['failed', thrown[1], features] : thrown;
    }
    const result = changes();
    return result[0] === 'failed' ? ['failed', result[1], features] : ['ok', result[1], features];
  };
  markIfUnassigned(opText);
  markIfUnassigned(ackText);
  let op;
  try {
    op = jsonParse(opText);
  } catch (e) {
    return { state: 'done', value: ['failed', 'op is not valid JSON'] };
  }
  if (op === null || typeof op !== 'object' || isArray(op)) {
    return { state: 'done', value: ['failed', 'op is not a JSON object'] };
  }
  const ack = jsonParse(ackText);
  let result;
  try {
    const apply = ns.apply;
    if (typeof apply === 'function') {
      result = call(apply, undefined, tx, op, ack);
    } else if (apply !== null && typeof apply === 'object') {
      const name = op.op;
      const handler = typeof name === 'string' && hasOwn(apply, name) ? apply[name] : undefined;
      if (typeof handler !== 'function') {
        return { state: 'done', value: ['failed', 'contract has no apply handler for op ' + jsonStringify(name === undefined ? null : name)] };
      }
      result = call(handler, apply, tx, op, ack);
    } else {
      return { state: 'done', value: ['failed', 'contract does not export apply'] };
    }
  } catch (e) {
    return settle(e, true, finish);
  }
  return settle(result, false, finish);
}

export function runCall(ns, method, paramsText) {
  const fn = ns[method];
  if (method === 'apply' || method === 'process' || typeof fn !== 'function') {
    return { state: 'done', value: ['failed', 'contract has no method ' + jsonStringify(method)] };
  }
  const emitted = [];
  let limit = null;
  const emit = (op) => {
    if (op === null || typeof op !== 'object' || isArray(op)) {
      throw new ErrorCtor('emit() needs an op object');
    }
    const text = jsonStringify(op);
    if (emitted.length >= 1000) {
      limit = ['CHANGE_LIMIT', 'a call may emit at most 1000 ops'];
      throw new ErrorCtor(limit[1]);
    }
    call(arrayPush, emitted, text);
  };
  const state = current;
  const finish = (ok, v) => {
    current = null;
    if (limit !== null) return ['limit', limit[0], limit[1]];
    if (state !== null && state.limit !== null) return ['limit', state.limit[0], state.limit[1]];
    if (!ok) return describeThrown(v);
    const text = v === undefined ? null : jsonStringify(v);
    return ['ok', text === undefined ? null : text, emitted];
  };
  let result;
  try {
    result = call(fn, ns, paramsText === null ? undefined : jsonParse(paramsText), emit);
  } catch (e) {
    return settle(e, true, finish);
  }
  return settle(result, false, finish);
}

export function runProcess(ns, opText) {
  const fn = ns.process;
  if (typeof fn !== 'function') {
    return { state: 'done', value: ['ok', null] };
  }
  const state = current;
  const finish = (ok, v) => {
    current = null;
    if (state !== null && state.limit !== null) return ['limit', state.limit[0], state.limit[1]];
    if (!ok) return describeThrown(v);
    const text = v === undefined ? null : jsonStringify(v);
    return ['ok', text === undefined ? null : text];
  };
  let result;
  try {
    result = call(fn, ns, jsonParse(opText));
  } catch (e) {
    return settle(e, true, finish);
  }
  return settle(result, false, finish);
}

// ---- Lockdown (docs/contract-runtime.md, "The realm"): frozen once, before any contract code runs. ----
// State can then only live in objects a transaction creates itself, and a fresh module instance per transaction
// gives fresh-instance semantics with no per-transaction check (the approach of Hardened JavaScript's lockdown()).

// Engine-specific or non-deterministic globals (PROTOCOL §4): timing, shared memory, garbage collection.
for (const name of ['SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry', 'arguments', 'console', 'print',
  'printErr', 'load', 'loadWithNewGlobal', 'Graal', 'Polyglot', 'Java', 'Packages']) {
  delete globalThis[name];
}
// The legacy RegExp statics report the last match of any transaction: shared state outside any object.
const LEGACY_STATICS = 'the legacy RegExp statics (RegExp.$1, lastMatch, ...)';
// They are replaced by accessors that keep nothing, give undefined and mark the transaction: other engines report the
// last match there.
for (const name of ['input', '$_', 'lastMatch', '$&', 'lastParen', '$+', 'leftContext', '$`', 'rightContext', "$'",
  '$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9']) {
  delete RegExp[name];
  const accessors = ReflectGetOwnPropertyDescriptor({
    get [name]() { markEngineDependent(LEGACY_STATICS); return undefined; },
    set [name](v) { markEngineDependent(LEGACY_STATICS); }
  }, name);
  Object.defineProperty(RegExp, name, {
    get: asNative(accessors.get, 'get ' + name), set: asNative(accessors.set, 'set ' + name), enumerable: false, configurable: true
  });
}
// console is a sink: contracts may log, nothing is kept.
{
  const consoleObject = ObjectCreate(Object.prototype);
  for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'assert', 'count', 'countReset',
    'group', 'groupCollapsed', 'groupEnd', 'time', 'timeEnd', 'timeLog']) {
    // One function per method, named and printed like a native one, as on other engines.
    consoleObject[name] = asNative({ [name]() {} }[name], name);
  }
  Object.defineProperty(globalThis, 'console', { value: consoleObject, writable: true, enumerable: false, configurable: true });
}

// Engine-dependent features (PROTOCOL §4): a transaction that uses one is marked, so that a mismatch in it is an
// engine-dependent divergence, never fraud. Math functions whose last digits engines may round differently:
const APPROXIMATED_MATH = ['acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'atan2', 'cbrt', 'cos', 'cosh', 'exp',
  'expm1', 'hypot', 'log', 'log1p', 'log10', 'log2', 'pow', 'sin', 'sinh', 'tan', 'tanh'];

function markEngineDependent(feature) {
  if (current !== null && current.engineDependent.indexOf(feature) < 0) {
    call(arrayPush, current.engineDependent, feature);
  }
}

for (const name of APPROXIMATED_MATH) {
  const original = Math[name];
  if (typeof original !== 'function') continue;
  const feature = 'Math.' + name;
  const wrapper = {
    [name](...args) {
      markEngineDependent(feature);
      return ReflectApply(original, Math, args);
    }
  }[name];
  asNative(wrapper, name);
  Object.defineProperty(wrapper, 'length', { value: original.length });
  Object.defineProperty(Math, name, { value: wrapper, writable: true, enumerable: false, configurable: true });
}
// Locale-sensitive output (Intl, toLocale*, localeCompare) depends on the engine's locale data.
function markMethod(object, name, feature) {
  const d = ReflectGetOwnPropertyDescriptor(object, name);
  if (d === undefined || typeof d.value !== 'function') return;
  const original = d.value;
  const wrapper = {
    [name](...args) {
      markEngineDependent(feature);
      return ReflectApply(original, this, args);
    }
  }[name];
  asNative(wrapper, name);
  Object.defineProperty(wrapper, 'length', { value: original.length });
  Object.defineProperty(object, name, { value: wrapper, writable: d.writable, enumerable: d.enumerable, configurable: true });
}
for (const [object, names] of [[Number.prototype, ['toLocaleString']], [BigInt.prototype, ['toLocaleString']],
  [Array.prototype, ['toLocaleString']], [Date.prototype, ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']],
  [String.prototype, ['localeCompare', 'toLocaleLowerCase', 'toLocaleUpperCase']]]) {
  for (const name of names) markMethod(object, name, name);
}
if (typeof Intl === 'object' && Intl !== null) {
  for (const name of ReflectOwnKeys(Intl)) {
    const d = ReflectGetOwnPropertyDescriptor(Intl, name);
    if (typeof d.value === 'function' && d.value.prototype !== undefined) {
      // Every Intl service: mark when one is constructed (all output goes through an instance).
      const Original = d.value;
      const feature = 'Intl.' + StringCtor(name);
      const Marked = asNative(function (...args) {
        markEngineDependent(feature);
        return new.target === undefined ? ReflectApply(Original, this, args) : ReflectConstruct(Original, args, new.target);
      }, StringCtor(Original.name));
      ObjectSetPrototypeOf(Marked, ObjectGetPrototypeOf(Original));
      for (const key of ReflectOwnKeys(Original)) {
        if (key !== 'prototype' && key !== 'length' && key !== 'name') {
          Object.defineProperty(Marked, key, ReflectGetOwnPropertyDescriptor(Original, key));
        }
      }
      Object.defineProperty(Marked, 'prototype', { value: Original.prototype });
      Object.defineProperty(Marked, 'name', { value: Original.name });
      Object.defineProperty(Marked, 'length', { value: Original.length });
      Object.defineProperty(Original.prototype, 'constructor', { value: Marked, writable: true, configurable: true });
      Object.defineProperty(Intl, name, { value: Marked, writable: d.writable, enumerable: d.enumerable, configurable: true });
    } else if (typeof d.value === 'function') {
      markMethod(Intl, name, 'Intl.' + StringCtor(name));
    }
  }
}

// JSON as contracts see it: the engine's nesting limits become a sticky limit (Aborted), even when caught.
for (const name of ['parse', 'stringify']) {
  const original = JSON[name];
  const wrapper = {
    [name](...args) {
      try {
        return ReflectApply(original, JSON, args);
      } catch (e) {
        if (isDepthError(e)) hitLimit('JSON_DEPTH', 'JSON.' + name + ' hit this engine\'s nesting limit');
        throw e;
      }
    }
  }[name];
  asNative(wrapper, name);
  Object.defineProperty(wrapper, 'length', { value: original.length });
  Object.defineProperty(JSON, name, { value: wrapper, writable: true, enumerable: false, configurable: true });
}
// BigInt() parses a string in one uninterruptible step whose cost grows with the square of its length: past
// ContractLimits.MAX_BIGINT_STRING_CHARS it would overrun the time budget, so the transaction is aborted instead.
const MAX_BIGINT_STRING_CHARS = 100000;
{
  const Original = BigInt;
  const SymbolToPrimitive = Symbol.toPrimitive;
  const isObject = (v) => v !== null && (typeof v === 'object' || typeof v === 'function');
  // ECMAScript's ToPrimitive(value, number), step for step, so that BigInt(object) sees the string an object yields.
  const toPrimitiveNumber = (value) => {
    const exotic = value[SymbolToPrimitive];
    if (exotic !== undefined && exotic !== null) {
      if (typeof exotic !== 'function') throw new TypeErrorIntrinsic('Symbol.toPrimitive is not a function');
      const result = call(exotic, value, 'number');
      if (isObject(result)) throw new TypeErrorIntrinsic('Cannot convert object to primitive value');
      return result;
    }
    const names = ['valueOf', 'toString'];
    for (let i = 0; i < 2; i++) { // an indexed loop: runs inside contract code, where iterators may be replaced
      const method = value[names[i]];
      if (typeof method === 'function') {
        const result = call(method, value);
        if (!isObject(result)) return result;
      }
    }
    throw new TypeErrorIntrinsic('Cannot convert object to primitive value');
  };
  const checkLength = (value, what) => {
    if (typeof value === 'string' && value.length > MAX_BIGINT_STRING_CHARS) {
      hitLimit('BUILTIN_INPUT', what + ' was given a string of ' + value.length + ' characters, more than this'
        + ' monitor\'s limit of ' + MAX_BIGINT_STRING_CHARS + ' (the engine cannot interrupt the parse)');
    }
  };
  // A constructor, as the built-in is (so `class X extends BigInt {}` is allowed), that refuses `new` like it.
  const wrapper = function BigInt(value) {
    if (new.target !== undefined) throw new TypeErrorIntrinsic('BigInt is not a constructor');
    const primitive = isObject(value) ? toPrimitiveNumber(value) : value;
    checkLength(primitive, 'BigInt()');
    return Original(primitive);
  };
  for (const name of ['asIntN', 'asUintN']) {
    const originalStatic = Original[name];
    const wrapped = {
      [name](bits, bigint) {
        checkLength(bigint, 'BigInt.' + name + '()');
        return originalStatic(bits, bigint);
      }
    }[name];
    asNative(wrapped, name);
    Object.defineProperty(wrapped, 'length', { value: 2 });
    Object.defineProperty(Original, name, { value: wrapped, writable: true, enumerable: false, configurable: true });
  }
  asNative(wrapper, 'BigInt');
  for (const key of ReflectOwnKeys(Original)) {
    if (key !== 'name' && key !== 'length') {
      Object.defineProperty(wrapper, key, ReflectGetOwnPropertyDescriptor(Original, key));
    }
  }
  ObjectSetPrototypeOf(wrapper, ObjectGetPrototypeOf(Original));
  Object.defineProperty(Original.prototype, 'constructor', { value: wrapper, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'BigInt', { value: wrapper, writable: true, enumerable: false, configurable: true });
}
// Strings outside ECMAScript's date-time format are parsed by implementation-specific heuristics.
{
  // ECMAScript's date-time format, with every field captured so that its range can be checked too: engines
  // disagree on out-of-range values (+24:00, 23:60, February 30) although the format says NaN.
  const ISO_DATE = /^(\d{4}|[+-]\d{6})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{3})?)?(?:Z|[+-](\d{2}):(\d{2}))?)?$/;
  const RegExpExec = RegExp.prototype.exec;
  const inRange = (text, lo, hi) => text === undefined || (+text >= lo && +text <= hi);
  const daysIn = (year, month) => month === 2 ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28)
    : (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
  const isStrictIso = (value) => {
    const m = call(RegExpExec, ISO_DATE, value);
    if (m === null) return false;
    if (m[1] === '-000000') return false; // the format forbids minus zero as a year
    if (!inRange(m[2], 1, 12) || !inRange(m[4], 0, 23) || !inRange(m[5], 0, 59) || !inRange(m[6], 0, 59)
      || !inRange(m[7], 0, 23) || !inRange(m[8], 0, 59)) return false;
    return m[3] === undefined || (+m[3] >= 1 && +m[3] <= daysIn(+m[1], m[2] === undefined ? 1 : +m[2]));
  };
  const FEATURE = 'Date.parse (a string not in the ISO format)';
  // Date.parse converts any argument to a string and parses it; new Date(x) parses only a string, or an object (not a
  // Date) whose primitive may be one: numbers are time values.
  const markNonIso = (value, parsesAnything) => {
    if (typeof value === 'string') {
      if (!isStrictIso(value)) markEngineDependent(FEATURE);
    } else if (parsesAnything || (value !== null && typeof value === 'object' && !(value instanceof RealDate))) {
      markEngineDependent(FEATURE);
    }
  };
  const originalParse = RealDate.parse;
  Object.defineProperty(SafeDate, 'parse', {
    value: asNative({
      parse(value) {
        markNonIso(value, true);
        return originalParse(value);
      }
    }.parse, 'parse'),
    writable: true, enumerable: false, configurable: true
  });
  dateStringHook = (value) => markNonIso(value, false);
}
// Implementation-defined text: the time zone's name in Date strings, Number digits in a radix other than 10.
markMethod(Date.prototype, 'toString', 'Date.prototype.toString');
markMethod(Date.prototype, 'toTimeString', 'Date.prototype.toTimeString');
{
  const original = Number.prototype.toString;
  const wrapper = {
    toString(...args) {
      if (args.length > 0 && args[0] !== undefined && args[0] !== 10) markEngineDependent('Number.prototype.toString(radix)');
      return ReflectApply(original, this, args);
    }
  }.toString;
  asNative(wrapper, 'toString');
  Object.defineProperty(wrapper, 'length', { value: original.length });
  Object.defineProperty(Number.prototype, 'toString', { value: wrapper, writable: true, enumerable: false, configurable: true });
}

// A comparator that returns something other than a number (a boolean, as in `(a, b) => a > b`) or NaN is not a
// consistent comparator: the sort order is then implementation-defined, and engines' algorithms differ. The wrapper
// passes every call and result through unchanged, in the engine's own order.
{
  const TypedArrayPrototype = ObjectGetPrototypeOf(Int8Array.prototype);
  for (const [holder, name] of [[Array.prototype, 'sort'], [Array.prototype, 'toSorted'], [TypedArrayPrototype, 'sort'],
    [TypedArrayPrototype, 'toSorted']]) {
    const original = holder[name];
    if (typeof original !== 'function') continue;
    const wrapper = {
      [name](comparefn) {
        if (typeof comparefn !== 'function') return call(original, this, comparefn);
        const checked = (a, b) => {
          const r = comparefn(a, b);
          if (typeof r !== 'number' || r !== r) markEngineDependent('sort with a comparator that returns no number');
          return r;
        };
        return call(original, this, checked);
      }
    }[name];
    asNative(wrapper, name);
    Object.defineProperty(wrapper, 'length', { value: 1 });
    Object.defineProperty(holder, name, { value: wrapper, writable: true, enumerable: false, configurable: true });
  }
}

// The order of a built-in object's own properties is implementation-defined (V8 lists Date's as now, parse, UTC; GraalJS
// as UTC, parse, now): listing a built-in's keys marks the transaction. The set of built-ins is taken at lockdown.
const WeakSetHas = WeakSet.prototype.has;
const WeakSetAdd = WeakSet.prototype.add;
const builtIns = new WeakSet();
for (const [holder, name] of [[Reflect, 'ownKeys'], [Object, 'getOwnPropertyNames'], [Object, 'getOwnPropertySymbols'],
  [Object, 'getOwnPropertyDescriptors']]) {
  const original = holder[name];
  const wrapper = {
    [name](target) {
      if (target !== null && (typeof target === 'object' || typeof target === 'function') && call(WeakSetHas, builtIns, target)) {
        markEngineDependent('listing the properties of a built-in (their order is implementation-defined)');
      }
      return original(target);
    }
  }[name];
  asNative(wrapper, name);
  Object.defineProperty(wrapper, 'length', { value: 1 });
  Object.defineProperty(holder, name, { value: wrapper, writable: true, enumerable: false, configurable: true });
}

// Function.prototype.toString shows the runtime's wrappers as the native functions they stand for.
{
  const original = Function.prototype.toString;
  const wrapper = {
    toString() {
      const name = typeof this === 'function' ? call(WeakMapGet, nativeNames, this) : undefined;
      const text = name !== undefined ? 'function ' + name + '() { [native code] }' : call(original, this);
      // How a native (or bound) function prints differs between engines: `function bound() {...}` here, V8 omits the name.
      if (call(StringIndexOf, text, '[native code]') >= 0) markEngineDependent('Function.prototype.toString of a native function');
      return text;
    }
  }.toString;
  asNative(wrapper, 'toString');
  Object.defineProperty(Function.prototype, 'toString', { value: wrapper, writable: true, enumerable: false, configurable: true });
}

// The override mistake: with frozen prototypes, `this.name = ...` in an Error subclass or `obj.toString = ...`
// would throw. These properties become accessors whose setter defines the property on the object assigned to,
// as Hardened JavaScript's override taming does; assigning to the prototype itself still fails.
const TAMED = ['constructor', 'toString', 'toLocaleString', 'valueOf', 'name', 'message', 'hasOwnProperty',
  'isPrototypeOf', 'propertyIsEnumerable', 'toJSON', 'then'];
const ObjectDefineProperty = Object.defineProperty;
const TypeErrorCtor = TypeError;

function tame(object) {
  for (const prop of TAMED) {
    const d = ReflectGetOwnPropertyDescriptor(object, prop);
    if (d === undefined || d.get !== undefined || d.set !== undefined || d.writable !== true || d.configurable !== true) {
      continue;
    }
    const value = d.value;
    const getter = ObjectFreeze(ReflectGetOwnPropertyDescriptor({ get [prop]() { return value; } }, prop).get);
    const setter = function (newValue) {
      if (this === object) {
        throw new TypeErrorCtor('Cannot assign to read only property \'' + prop + '\' of a built-in');
      }
      ObjectDefineProperty(this, prop, { value: newValue, writable: true, enumerable: true, configurable: true });
    };
    ObjectFreeze(setter);
    ObjectDefineProperty(object, prop, { get: getter, set: setter, enumerable: d.enumerable, configurable: false });
  }
}

function isModuleNamespace(o) {
  try {
    return ReflectGetOwnPropertyDescriptor(o, Symbol.toStringTag)?.value === 'Module' && ObjectGetPrototypeOf(o) === null;
  } catch (e) {
    return false;
  }
}

/** Everything reachable from the roots: prototypes, property values, accessors. */
function reachable(roots) {
  const seen = new Set();
  const out = [];
  const visit = (v) => {
    if (((typeof v === 'object' && v !== null) || typeof v === 'function') && !seen.has(v)) {
      seen.add(v);
      call(arrayPush, out, v);
    }
  };
  for (let i = 0; i < roots.length; i++) visit(roots[i]);
  for (let i = 0; i < out.length; i++) {
    const o = out[i];
    visit(ObjectGetPrototypeOf(o));
    const keys = ReflectOwnKeys(o);
    for (let k = 0; k < keys.length; k++) {
      const d = ReflectGetOwnPropertyDescriptor(o, keys[k]);
      if (d === undefined) continue;
      visit(d.value);
      visit(d.get);
      visit(d.set);
    }
  }
  return out;
}

/** Intrinsics no global property leads to: found through instances. */
function hiddenIntrinsics() {
  const found = [];
  const tryAdd = (make) => {
    try {
      const v = make();
      if (v !== undefined && v !== null) call(arrayPush, found, v);
    } catch (e) {
      // A feature this engine does not have.
    }
  };
  tryAdd(() => ObjectGetPrototypeOf(Int8Array));
  tryAdd(() => ObjectGetPrototypeOf(function* () {}));
  tryAdd(() => ObjectGetPrototypeOf(async function () {}));
  tryAdd(() => ObjectGetPrototypeOf(async function* () {}));
  tryAdd(() => ObjectGetPrototypeOf((function* () {})()));
  tryAdd(() => ObjectGetPrototypeOf((async function* () {})()));
  tryAdd(() => ObjectGetPrototypeOf([][Symbol.iterator]()));
  tryAdd(() => ObjectGetPrototypeOf(new Map()[Symbol.iterator]()));
  tryAdd(() => ObjectGetPrototypeOf(new Set()[Symbol.iterator]()));
  tryAdd(() => ObjectGetPrototypeOf(''[Symbol.iterator]()));
  tryAdd(() => ObjectGetPrototypeOf(/a/[Symbol.matchAll]('')));
  tryAdd(() => ObjectGetPrototypeOf([].values().map((x) => x)));
  tryAdd(() => ObjectGetPrototypeOf(Iterator.from({ next() { return { done: true, value: undefined }; } })));
  tryAdd(() => ObjectGetPrototypeOf(new Intl.Segmenter().segment('')));
  tryAdd(() => ObjectGetPrototypeOf(new Intl.Segmenter().segment('')[Symbol.iterator]()));
  tryAdd(() => ReflectGetOwnPropertyDescriptor(Function.prototype, 'caller').get);
  tryAdd(() => ObjectGetPrototypeOf((function () { return arguments; })()));
  return found;
}

let hardened = null;
let tripwireCursor = 0;

/** Freezes the realm: every intrinsic, the contract API modules, and the global object. Called once per context. */
export function lockdown() {
  const modules = globalThis.__vitraModules;
  delete globalThis.__vitraModules;
  const roots = [globalThis, ...hiddenIntrinsics(), ...modules];
  const all = reachable(roots);
  for (let i = 0; i < all.length; i++) {
    call(WeakSetAdd, builtIns, all[i]);
    if (!isModuleNamespace(all[i])) tame(all[i]);
  }
  // Taming made accessor functions and hid the original values in their closures: freeze what the first walk
  // found (those values included) and what a second walk finds (the accessors).
  const everything = reachable(roots);
  const seen = new Set();
  hardened = [];
  for (const list of [all, everything]) {
    for (let i = 0; i < list.length; i++) {
      const o = list[i];
      if (seen.has(o) || isModuleNamespace(o)) continue; // a namespace's bindings are immutable already
      seen.add(o);
      ObjectFreeze(o);
      call(arrayPush, hardened, o);
    }
  }
  return hardened.length;
}

let frozenRealm = true;

/** For probes only: the realm stays as it is, to see whether an outcome depends on freezing it. */
export function leaveUnfrozen() {
  const modules = globalThis.__vitraModules;
  delete globalThis.__vitraModules;
  const all = reachable([globalThis, ...hiddenIntrinsics(), ...modules]);
  for (let i = 0; i < all.length; i++) call(WeakSetAdd, builtIns, all[i]);
  frozenRealm = false;
  hardened = [];
}

/**
 * A cheap tripwire after each transaction: the global object and a rotating sample of the frozen intrinsics are
 * still frozen. It cannot fire unless freezing failed; if it does, the host retires the context and re-runs the call
 * on a fresh one.
 */
export function tripwire() {
  if (!frozenRealm) return true;
  if (!Object.isFrozen(globalThis)) return false;
  const n = hardened.length;
  for (let k = 0; k < 4 && n > 0; k++) {
    tripwireCursor = (tripwireCursor + 1) % n;
    if (!Object.isFrozen(hardened[tripwireCursor])) return false;
  }
  return true;
}

/** Every hardened object still frozen (tests). */
export function allFrozen() {
  for (let i = 0; i < hardened.length; i++) {
    if (!Object.isFrozen(hardened[i])) return false;
  }
  return Object.isFrozen(globalThis);
}

export function realmSize() {
  return hardened.length;
}
