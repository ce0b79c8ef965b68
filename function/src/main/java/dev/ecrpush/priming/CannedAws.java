package dev.ecrpush.priming;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An SDK HTTP client that answers every request itself and never opens a connection: what SnapStart priming's own
 * clients send through, so that the SDK marshals, signs, sends and parses each call of the run path before the
 * snapshot without reaching AWS. A request is read to its end, as a real client would send it, and recorded by
 * operation; the answer is the operation's canned one ({@link Answer}), or {@code {}} for a JSON call without one.
 *
 * <p>Operations are told apart as AWS tells them: the {@code X-Amz-Target} header of the JSON protocols (ECR,
 * CodeBuild, ECS, SSM, DynamoDB, Secrets Manager, Step Functions, CloudWatch Logs), the {@code Action} form field of
 * the query protocol (STS).
 */
public final class CannedAws implements SdkHttpClient {
    private static final String TARGET = "X-Amz-Target";

    /** One request as AWS would have received it: its operation and its body (JSON, or the query call's form). */
    public record Request(String operation, String body) {
    }

    /** An HTTP answer. */
    public record Reply(int status, String contentType, String body) {
        /** A JSON protocol's success. */
        public static Reply json(String body) {
            return new Reply(200, "application/x-amz-json-1.1", body);
        }

        /** A JSON protocol's error, as AWS sends it: the code in {@code __type} and {@code x-amzn-ErrorType}. */
        public static Reply jsonError(String code, String message) {
            return new Reply(400, "application/x-amz-json-1.1",
                    "{\"__type\":\"" + code + "\",\"message\":\"" + message + "\"}");
        }

        /** A query protocol's success (STS). */
        public static Reply xml(String body) {
            return new Reply(200, "text/xml", body);
        }
    }

    /** What to answer the {@code n}th request (from 0) of an operation. */
    @FunctionalInterface
    public interface Answer {
        Reply reply(Request request, int n);
    }

    private final Map<String, Answer> answers;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /** @param answers by operation name ({@code CreateRepository}); an operation not here gets {@code {}} */
    public CannedAws(Map<String, Answer> answers) {
        this.answers = Map.copyOf(answers);
    }

    /** Every request answered so far, in order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The operations answered so far, in order, each once. */
    public synchronized List<String> operations() {
        return requests.stream().map(Request::operation).distinct().toList();
    }

    /** The last request of {@code operation}; null when there was none. */
    public synchronized Request last(String operation) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (requests.get(i).operation().equals(operation)) {
                return requests.get(i);
            }
        }
        return null;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                return answer(request);
            }

            @Override
            public void abort() {
                // Answered in the caller's thread, from memory: nothing to abort.
            }
        };
    }

    private HttpExecuteResponse answer(HttpExecuteRequest http) {
        String body = http.contentStreamProvider().map(provider -> read(provider.newStream())).orElse("");
        Optional<String> target = http.httpRequest().firstMatchingHeader(TARGET);
        String operation = target.map(t -> t.substring(t.lastIndexOf('.') + 1)).orElseGet(() -> formAction(body));
        Request request = new Request(operation, body);
        int n;
        synchronized (this) {
            requests.add(request);
            n = counts.merge(operation, 1, Integer::sum) - 1;
        }
        Answer answer = answers.get(operation);
        Reply reply = answer != null ? answer.reply(request, n)
                : target.isPresent() ? Reply.json("{}")
                : new Reply(400, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"
                        + "<Message>no canned answer</Message></Error><RequestId>priming</RequestId></ErrorResponse>");
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(reply.status())
                .putHeader("Content-Type", reply.contentType())
                .putHeader("Content-Length", Integer.toString(bytes.length))
                .putHeader("x-amzn-RequestId", "priming");
        if (reply.status() >= 300 && reply.contentType().contains("json")) {
            response.putHeader("x-amzn-ErrorType", reply.body().replaceAll("(?s).*\"__type\":\"([^\"]*)\".*", "$1"));
        }
        return HttpExecuteResponse.builder().response(response.build())
                .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes))).build();
    }

    /** The {@code Action} of a query protocol call's form body. */
    private static String formAction(String body) {
        for (String field : body.split("&")) {
            if (field.startsWith("Action=")) {
                return URLDecoder.decode(field.substring("Action=".length()), StandardCharsets.UTF_8);
            }
        }
        return "unknown";
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String clientName() {
        return "CannedAws";
    }

    @Override
    public void close() {
        // Holds no connection or thread.
    }
}
