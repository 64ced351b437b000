export * from './tcpState';
export * from './socket';
export * from './snapshot';
