package dev.ecrpush.githost;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.step.SecretText;

/**
 * What differs between the Git hosts' REST APIs, for the two calls the function makes to them: a commit status
 * ({@link #status}) and the files changed between two commits ({@link #compare}, {@link #compared}). Each host has
 * its own in its package; {@link GitHostApis} sends the requests, with the token, to the deployer's API URL only.
 *
 * <p>Implementations only build requests and read answers: they hold no state and make no call.
 */
public interface GitHostApi {
    /** A commit ID as every host's API takes it in a path: 7 to 64 hexadecimal digits (SHA-1 or SHA-256). */
    Pattern COMMIT = Pattern.compile("[0-9a-f]{7,64}");

    /** The public API's base URL ({@code https://api.github.com}), or null for a host that is only self-hosted. */
    String defaultApiUrl();

    /** The header the token is sent in. */
    Header authorization(SecretText token);

    /** The request that sets {@code status} on the commit {@code sha} of {@code repository} (its full path). */
    Call status(URI api, String repository, String sha, CommitStatus status);

    /** The first request for the files changed from {@code before} to {@code after}. */
    Call compare(URI api, String repository, String before, String after);

    /** What one answer to a compare request (or to its {@code next} page) says of the changed files. */
    Compared compared(JsonNode answer);

    /** One HTTP request: a method, an address under the API URL, and a JSON body or none. */
    record Call(String method, URI uri, JsonNode body) {
    }

    /** A header whose value never prints itself. */
    record Header(String name, SecretText value) {
    }

    /** What a compare answer says. */
    sealed interface Compared {
        /**
         * The paths this answer lists (a renamed file's old and new path both), and the address of its next page, or
         * null when it is the last.
         */
        record Files(List<String> paths, String next) implements Compared {
            public Files {
                paths = List.copyOf(paths);
            }
        }

        /** Why the answer does not tell, e.g. {@code GitHub lists at most 300 files of a comparison}. */
        record Unknown(String why) implements Compared {
        }
    }
}
