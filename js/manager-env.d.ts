import type { ManagerEnvironment } from './manager.js';
export declare function browserEnvironment(g?: typeof globalThis): ManagerEnvironment;
