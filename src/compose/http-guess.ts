/**
 * Whether a published port looks like plain HTTP, and why. A wrong "no" costs little (a TCP
 * check still tells up from down); a wrong "yes" gives a health check that fails, so the rules
 * lean to TCP: HTTPS ports and well-known non-HTTP ports are TCP whatever else is said.
 */
import type { HealthcheckInfo } from './healthcheck.js';
import { isLocalUrl, urlPort } from './healthcheck.js';
import type { PortMapping } from './ports.js';

export interface HttpGuess {
  http: boolean;
  reason: string;
}

/** Container ports that are plain HTTP more often than not. */
const HTTP_PORTS = new Set([80, 3000, 4000, 5000, 8000, 8008, 8080, 8081, 8082, 8088, 8888, 9090, 5601, 9200, 15672, 16686]);
/** Ports of protocols that are not HTTP (databases, brokers, caches) or are TLS. */
const NOT_HTTP_PORTS = new Map<number, string>([
  [443, 'HTTPS'], [8443, 'HTTPS'], [5432, 'PostgreSQL'], [3306, 'MySQL'], [1433, 'SQL Server'], [1521, 'Oracle'], [6379, 'Redis'], [27017, 'MongoDB'],
  [5672, 'AMQP'], [9092, 'Kafka'], [2181, 'ZooKeeper'], [11211, 'memcached'], [4222, 'NATS'], [9042, 'Cassandra'], [1883, 'MQTT'], [25, 'SMTP'],
  [22, 'SSH'], [53, 'DNS'], [389, 'LDAP'], [6650, 'Pulsar'], [7687, 'Bolt (Neo4j)'], [26257, 'CockroachDB SQL'], [50051, 'gRPC'],
]);
/** Images whose main port is HTTP. */
const HTTP_IMAGES = /^(?:.*\/)?(nginx|httpd|apache|caddy|traefik|haproxy|envoy|grafana|prometheus|jaeger|kibana|elasticsearch|opensearch|wordpress|nextcloud|gitea|jenkins|minio|consul|vault|whoami|http-echo|echo-server)(?:[:@]|$)/i;
/** Images whose main port is not HTTP. */
const TCP_IMAGES = /^(?:.*\/)?(postgres|postgis|mysql|mariadb|mongo|redis|valkey|memcached|rabbitmq|kafka|zookeeper|nats|cassandra|mssql|oracle|etcd|mosquitto|pulsar|neo4j|clickhouse-server)(?:[:@-]|$)/i;

export function guessHttp(port: PortMapping, image: string | undefined, healthcheck: HealthcheckInfo | undefined): HttpGuess {
  const notHttp = NOT_HTTP_PORTS.get(port.target);
  if (notHttp) return { http: false, reason: `container port ${port.target} is usually ${notHttp}` };
  if (port.appProtocol) {
    return port.appProtocol === 'http' ? { http: true, reason: 'app_protocol: http' } : { http: false, reason: `app_protocol: ${port.appProtocol}` };
  }
  const url = healthcheck?.url;
  if (url && isLocalUrl(url) && urlPort(url) === port.target) {
    return url.protocol === 'http:' ? { http: true, reason: `the compose healthcheck calls ${url.href}` } : { http: false, reason: `the compose healthcheck calls ${url.href} (HTTPS: checked as TCP)` };
  }
  if (image && TCP_IMAGES.test(image) && !HTTP_PORTS.has(port.target)) return { http: false, reason: `image ${image} does not serve HTTP on its main port` };
  if (HTTP_PORTS.has(port.target)) return { http: true, reason: `container port ${port.target} is a usual HTTP port` };
  if (image && HTTP_IMAGES.test(image)) return { http: true, reason: `image ${image} serves HTTP` };
  return { http: false, reason: `nothing says port ${port.target} speaks HTTP` };
}

/** The path to probe: the compose healthcheck's, when it calls this very container port over HTTP; else "/". */
export function probePath(port: PortMapping, healthcheck: HealthcheckInfo | undefined): string {
  const url = healthcheck?.url;
  if (url && url.protocol === 'http:' && isLocalUrl(url) && urlPort(url) === port.target) return `${url.pathname}${url.search}`;
  return '/';
}
