// The 'util' module: genUUID() for call() and process(); it throws inside apply().
const api = globalThis.__vitraContractApi;

export function genUUID() {
  return api.genUUID();
}
