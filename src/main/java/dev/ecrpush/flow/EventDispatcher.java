package dev.ecrpush.flow;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ecrpush.error.InvalidStepException;

/** Decides what an event is and hands it to the stage that owns it. */
@ApplicationScoped
public class EventDispatcher {
    public Object dispatch(byte[] event) {
        throw new InvalidStepException("payload: not yet handled");
    }
}
