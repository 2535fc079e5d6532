/** @module Interface wasi:cli/environment@0.2.12 **/
export function getEnvironment(): Array<[string, string]>;
