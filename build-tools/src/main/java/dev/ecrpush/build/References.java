package dev.ecrpush.build;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.MethodRemapper;
import org.objectweb.asm.commons.Remapper;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * What a class, or one method, names: every type (through ASM's remapper, which sees descriptors,
 * signatures, handles and constants alike), every method it calls or takes a handle to, and every string
 * constant that may be a class name for reflection.
 */
public final class References {
    /** A method called, or taken a handle to: its owner's internal name, its name and its descriptor. */
    public record MethodRef(String owner, String name, String descriptor) {
    }

    final Set<String> types = new HashSet<>();
    final Set<MethodRef> methods = new HashSet<>();
    final Set<String> strings = new HashSet<>();

    /** The internal names of every type named. */
    public Set<String> types() {
        return Collections.unmodifiableSet(types);
    }

    /** Every method called or taken a handle to. */
    public Set<MethodRef> methods() {
        return Collections.unmodifiableSet(methods);
    }

    private final Remapper recorder = new Remapper() {
        @Override
        public String map(String internalName) {
            types.add(internalName);
            return internalName;
        }

        @Override
        public Object mapValue(Object value) {
            if (value instanceof String text) {
                strings.add(text);
            } else if (value instanceof Handle handle) {
                methods.add(new MethodRef(handle.getOwner(), handle.getName(), handle.getDesc()));
            }
            return super.mapValue(value);
        }
    };

    /** Everything the whole class names. */
    public static References ofClass(ClassNode node) {
        References refs = new References();
        node.accept(new ClassRemapper(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return refs.calls(null);
            }
        }, refs.recorder));
        return refs;
    }

    /** What the class header and its fields name, without the methods or the nest and inner-class lists. */
    static References ofHeader(ClassNode node) {
        References refs = new References();
        if (node.superName != null) {
            refs.recorder.map(node.superName);
        }
        node.interfaces.forEach(refs.recorder::map);
        for (FieldNode field : node.fields) {
            refs.recorder.mapDesc(field.desc);
        }
        if (node.visibleAnnotations != null) {
            node.visibleAnnotations.forEach(a -> refs.recorder.mapDesc(a.desc));
        }
        return refs;
    }

    /** Everything one method names. */
    static References ofMethod(MethodNode method) {
        References refs = new References();
        refs.recorder.mapMethodDesc(method.desc);
        method.accept(new MethodRemapper(refs.calls(null), refs.recorder));
        return refs;
    }

    /** Records the calls; the remapper in front of it has already recorded the types. */
    private MethodVisitor calls(MethodVisitor next) {
        return new MethodVisitor(Opcodes.ASM9, next) {
            @Override
            public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
                methods.add(new MethodRef(owner, name, descriptor));
            }

            @Override
            public void visitInvokeDynamicInsn(String name, String descriptor, Handle bsm, Object... args) {
                for (Object arg : args) {
                    if (arg instanceof Handle handle) {
                        methods.add(new MethodRef(handle.getOwner(), handle.getName(), handle.getDesc()));
                    } else if (arg instanceof Type type && type.getSort() == Type.OBJECT) {
                        types.add(type.getInternalName());
                    }
                }
            }

            @Override
            public void visitLdcInsn(Object value) {
                if (value instanceof String text) {
                    strings.add(text);
                }
            }
        };
    }
}
