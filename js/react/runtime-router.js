// What <SSEProvider> loads when it is given routerOptions (provider.js): init (which
// loads the router module with `{ router: true }`) and createRouter.
export { init } from '../init.js';
export { createRouter } from '../router.js';
