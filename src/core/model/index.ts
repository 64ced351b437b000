export * from './tcpState';
export * from './socket';
export * from './snapshot';
export * from './grouping';
export * from './json';
export * from './processLabel';
export * from './escape';
