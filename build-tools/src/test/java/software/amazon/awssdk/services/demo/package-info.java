/**
 * A miniature AWS SDK service with the generated layout, for the shrinker's tests: a client interface and
 * its {@code Default} implementation with one method per operation, the operations' requests and responses
 * under {@code model}, a marshaller under {@code transform}, and an interceptor named only in
 * {@code execution.interceptors}. {@code dev.acme.app.Caller} plays the function and calls one operation.
 */
package software.amazon.awssdk.services.demo;
