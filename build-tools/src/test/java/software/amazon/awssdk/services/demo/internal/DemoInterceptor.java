package software.amazon.awssdk.services.demo.internal;

/** Named only in execution.interceptors, as the SDK's interceptors are: the shrinker must keep it. */
public final class DemoInterceptor {
}
