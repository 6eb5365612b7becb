import { lossworksVitest } from '@lossworks/vitest-config';
export default lossworksVitest(import.meta.dirname);
