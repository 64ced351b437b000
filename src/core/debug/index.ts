export * from './pid';
export * from './processTree';
