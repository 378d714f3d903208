package org.idcguard.model;

/**
 * What an application host needs to run the cluster's HAProxy route: one stable address that always leads to the
 * coordinator's current primary, so new connections never wait on a dark IDC.
 *
 * @param haproxyConfig the configuration, naming {@code router.pem} and {@code ca.crt} beside it
 * @param routerPem     the router's certificate and key (PEM), with which HAProxy's health checks authenticate to the
 *                      node agents; a secret
 * @param caCertificate the manager's CA certificate (PEM): HAProxy checks the node agents against it
 * @param uri           the libpq URI applications use through the route
 */
public record RouteConfig(String haproxyConfig, String routerPem, String caCertificate, String uri) {
}
