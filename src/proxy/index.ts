/** The fault proxy: a TCP proxy with toxics, and its Toxiproxy-compatible API. See docs/proxy.md. */
export { Proxy, type ProxyConfig, type ProxyOptions, type ProxyStats } from './proxy.js';
export { ProxyCollection, ApiError, proxyJson, type ProxyJson, type ToxicExtras } from './collection.js';
export { startProxyServer, API_VERSION, DEFAULT_API_LISTEN, type ProxyServer, type ProxyServerOptions } from './api/server.js';
export { prometheusText } from './api/metrics.js';
export { toxicTypes, toxicType, type ToxicTypeName } from './toxics/index.js';
export { toxicJson, type Toxic, type ToxicJson, type ToxicType, type ToxicScope } from './toxic.js';
export { parseHostPort, type HostPort } from './address.js';
export { ListenError, type Transport } from './endpoint.js';
export { proxyTransport, decideTransport, type TransportChoice } from './transport.js';
export { rawSelfTest, type SelfTestResult, type SelfTestOptions } from './self-test.js';
export { ProxyApiClient, ProxyApiError } from './client.js';
