export { default } from '@lossworks/eslint-config';
