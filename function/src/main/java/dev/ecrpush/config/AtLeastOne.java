package dev.ecrpush.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * A count that must be at least 1 ({@code buildpush.webhooks.max-builds-per-delivery}): read when the mapping is,
 * at start-up, so a 0 or a negative number stops the function's init naming its key rather than making every
 * delivery build nothing.
 */
public final class AtLeastOne implements Converter<Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public Integer convert(String value) {
        int count;
        try {
            count = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number, at least 1: " + value);
        }
        if (count < 1) {
            throw new IllegalArgumentException("must be at least 1: " + value);
        }
        return count;
    }
}
