/** Internal (js/wasm.js loads it): the router module's loader. */
export {};
