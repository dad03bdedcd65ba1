// The 'assert' module: a small subset of Node's assert, as Vitra contracts use it.
class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

function fail(message) {
  throw message instanceof Error ? message : new AssertionError(message === undefined ? 'Failed' : String(message));
}

function ok(value, message) {
  if (!value) fail(message === undefined ? 'The expression evaluated to a falsy value' : message);
}

function equal(actual, expected, message) {
  // eslint-disable-next-line eqeqeq
  if (!(actual == expected)) fail(message === undefined ? `${String(actual)} == ${String(expected)}` : message);
}

function notEqual(actual, expected, message) {
  // eslint-disable-next-line eqeqeq
  if (actual == expected) fail(message === undefined ? `${String(actual)} != ${String(expected)}` : message);
}

function strictEqual(actual, expected, message) {
  if (!Object.is(actual, expected)) fail(message === undefined ? `${String(actual)} === ${String(expected)}` : message);
}

function notStrictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) fail(message === undefined ? `${String(actual)} !== ${String(expected)}` : message);
}

function isDeepEqual(a, b, seen) {
  if (a === b || (a !== a && b !== b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // eslint-disable-next-line eqeqeq
    return typeof a !== 'object' && typeof b !== 'object' && a == b;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (seen.has(a)) return seen.get(a) === b;
  seen.set(a, b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k) || !isDeepEqual(a[k], b[k], seen)) return false;
  }
  return true;
}

function deepEqual(actual, expected, message) {
  if (!isDeepEqual(actual, expected, new Map())) fail(message === undefined ? 'values are not deeply equal' : message);
}

function notDeepEqual(actual, expected, message) {
  if (isDeepEqual(actual, expected, new Map())) fail(message === undefined ? 'values are deeply equal' : message);
}

function match(string, regexp, message) {
  if (typeof string !== 'string' || !regexp.test(string)) fail(message === undefined ? `${String(string)} does not match ${regexp}` : message);
}

function doesNotMatch(string, regexp, message) {
  if (typeof string === 'string' && regexp.test(string)) fail(message === undefined ? `${String(string)} matches ${regexp}` : message);
}

ok.ok = ok;
ok.equal = equal;
ok.notEqual = notEqual;
ok.strictEqual = strictEqual;
ok.notStrictEqual = notStrictEqual;
ok.deepEqual = deepEqual;
ok.notDeepEqual = notDeepEqual;
ok.fail = fail;
ok.match = match;
ok.doesNotMatch = doesNotMatch;
ok.AssertionError = AssertionError;

// The runtime's lockdown freezes all of these with the rest of the realm, so no contract can keep state on them
// from one transaction to the next (and the unfrozen probe can show whether an outcome depends on that).

export default ok;
export { ok, equal, notEqual, strictEqual, notStrictEqual, deepEqual, notDeepEqual, fail, match, doesNotMatch, AssertionError };
