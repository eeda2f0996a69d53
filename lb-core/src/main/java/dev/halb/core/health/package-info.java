/**
 * Which backends may get new connections: active health checks, outlier ejection after failed
 * connects, and operator drain. The data path reports connect outcomes through
 * {@link dev.halb.core.health.ConnectObserver}, the one feedback edge from the proxy back into
 * this layer, declared here so package dependencies keep pointing one way.
 */
package dev.halb.core.health;
