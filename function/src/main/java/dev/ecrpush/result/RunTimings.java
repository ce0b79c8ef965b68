package dev.ecrpush.result;

/**
 * The function's own share of a run's time, as its result and its Step Functions completion report it.
 *
 * @param functionMillis from when the step service took the payload (decoded, before it is parsed, held to the
 *                       policy and planned) to the launch's answer ({@code StartBuild} or {@code RunTask} returned), on
 *                       a monotonic clock: the target's credentials, the repositories and the launch included; the
 *                       Lambda runtime's and the handler's decoding of the event, and a webhook's verification before
 *                       it, are not
 */
public record RunTimings(Long functionMillis) {
}
