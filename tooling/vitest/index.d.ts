import type { UserConfig } from 'vitest/config';
/** The shared vitest config for a package rooted at `root`, with optional overrides of `test`. */
export declare function lossworksVitest(root: string, extra?: UserConfig['test']): UserConfig;
