// The 'contract' module contracts import: index reads, listOplogs() and isWriter.
const api = globalThis.__vitraContractApi;

export const index = api.index;

export function listOplogs() {
  return api.listOplogs();
}

export let isWriter = false;

api.register(Object.freeze({
  setIsWriter(value) {
    isWriter = value;
  }
}));
