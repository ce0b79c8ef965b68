package dev.ecrpush.githost;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;

import dev.ecrpush.githost.bitbucket.Bitbucket;
import dev.ecrpush.githost.gitea.Gitea;
import dev.ecrpush.githost.github.GitHub;
import dev.ecrpush.githost.gitlab.GitLab;

/**
 * The Git hosts the function serves, by name. Built at start-up, and refused there with an
 * {@link IllegalStateException} that stops the function's init, naming the classes, when a host lacks what
 * every host must declare (a route-shaped name, a secret field) or when two hosts claim one name, one key of
 * the webhook secret, one configuration key or one clone-URL host: a clash would otherwise show only as a
 * delivery checked with the wrong secret, or a build cloned as the wrong source type.
 */
@Singleton
@Startup
public final class GitHostRegistry {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{0,31}");

    private final Map<String, GitHost> byName;

    /**
     * The one place a Git host is registered: its route, secret fields and clone hosts follow from here
     * (docs/contributing.md: adding a Git host).
     */
    static List<GitHost> registered() {
        return List.of(new GitHub(), new GitLab(), new Bitbucket(), new Gitea());
    }

    /** The {@link #registered()} hosts. */
    public GitHostRegistry() {
        this(registered());
    }

    /**
     * @param hosts in the order messages and documentation list them
     * @throws IllegalStateException listing every problem
     */
    public GitHostRegistry(List<GitHost> hosts) {
        List<String> problems = new ArrayList<>();
        Map<String, GitHost> names = new LinkedHashMap<>();
        Map<String, GitHost> keys = new LinkedHashMap<>();
        Map<String, GitHost> configKeys = new LinkedHashMap<>();
        Map<String, GitHost> cloneHosts = new LinkedHashMap<>();
        if (hosts.isEmpty()) {
            problems.add("no Git host is registered");
        }
        for (GitHost host : hosts) {
            String id = host.getClass().getName();
            String name = host.name();
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add(id + " has no route-shaped name (lower-case letters and digits, 1 to 32): " + name);
            } else {
                claim(names, name, host, "the name", problems);
            }
            if (host.secretFields().isEmpty()) {
                problems.add(id + " declares no secret field, so it could never accept a delivery");
            }
            for (SecretField field : host.secretFields()) {
                claim(keys, field.key(), host, "the webhook secret key", problems);
                claim(configKeys, field.configKey(), host, "the configuration key", problems);
            }
            host.cloneHosts().keySet().forEach(cloneHost -> {
                if (!cloneHost.equals(cloneHost.toLowerCase(Locale.ROOT))) {
                    problems.add(id + " gives the clone host " + cloneHost + " in upper case; clone URLs are compared lower-cased");
                }
                claim(cloneHosts, cloneHost, host, "the clone host", problems);
            });
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Git hosts: " + String.join("; ", problems));
        }
        this.byName = Collections.unmodifiableMap(names);
    }

    private static void claim(Map<String, GitHost> claimed, String value, GitHost host, String what, List<String> problems) {
        GitHost earlier = claimed.putIfAbsent(value, host);
        if (earlier != null) {
            problems.add(earlier.getClass().getName() + " and " + host.getClass().getName() + " both claim " + what
                    + " \"" + value + "\"");
        }
    }

    /** The host of that name (a route segment, a trigger's {@code provider}), if there is one. */
    public Optional<GitHost> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Every host, in registration order. */
    public List<GitHost> all() {
        return List.copyOf(byName.values());
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** Every host's secret fields, host by host. */
    public List<SecretField> secretFields() {
        return byName.values().stream().flatMap(host -> host.secretFields().stream()).toList();
    }

    /** The CodeBuild source type of each clone-URL host a Git host serves itself, as its name. */
    public Map<String, String> sourceTypesByHost() {
        Map<String, String> types = new LinkedHashMap<>();
        byName.values().forEach(host -> host.cloneHosts().forEach((cloneHost, type) -> types.put(cloneHost, type.toString())));
        return Collections.unmodifiableMap(types);
    }

    /** {@code a, b and c}, as messages list hosts and keys. */
    public static String enumerate(List<String> items, String conjunction) {
        if (items.size() <= 1) {
            return String.join("", items);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " " + conjunction + " " + items.get(items.size() - 1);
    }
}
