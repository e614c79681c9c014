import type { Environment } from './manager.js';
export declare function browserEnvironment(g?: typeof globalThis): Environment;
