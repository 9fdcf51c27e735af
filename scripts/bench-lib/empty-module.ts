/** Nothing: `bench-import --in-program` imports it first, to start Node's loader of file modules. */
export {};
