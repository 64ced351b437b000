// A class file edit without a bytecode library: a call to a static method inserted at the entry of
// one method, passing one of the method's arguments (`aload n` or `iload n`, then `invokestatic`:
// exactly 4 bytes, so the alignment of tableswitch/lookupswitch padding is unchanged and every
// branch offset, being relative, stays right). What moves is absolute: the exception table, the first
// StackMapTable frame's offset (later ones are relative to it), LineNumberTable and LocalVariable(Type)Table
// start offsets. A method with any other code attribute (type annotations name offsets too) is left
// alone, and so is a class the edit does not understand: the result is null, no change.
package sockscope.origins;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

final class Prologue {
  private Prologue() {}

  private static final int DELTA = 4;

  /**
   * The class with `owner.method(desc)` called at the entry of `method(descriptor)`, passing its
   * local `slot` (loaded with `load`, 0x15 iload or 0x19 aload); null when the method is not there or
   * cannot be edited safely.
   */
  static byte[] insert(byte[] cls, String method, String descriptor, int load, int slot, String owner, String callee, String calleeDesc) {
    try {
      return new Prologue.Edit(cls).run(method, descriptor, load, slot, owner, callee, calleeDesc);
    } catch (RuntimeException | IOException e) {
      return null;
    }
  }

  private static final class Edit {
    private final ByteBuffer in;
    private final byte[] cls;
    private String[] utf8;
    private int cpCount;
    private int cpEnd;

    Edit(byte[] cls) {
      this.cls = cls;
      this.in = ByteBuffer.wrap(cls);
    }

    byte[] run(String method, String descriptor, int load, int slot, String owner, String callee, String calleeDesc) throws IOException {
      if (in.getInt(0) != 0xCAFEBABE) return null;
      in.position(8);
      cpCount = u2();
      utf8 = new String[cpCount];
      for (int i = 1; i < cpCount; i++) {
        int tag = u1();
        switch (tag) {
          case 1: {
            int len = u2();
            utf8[i] = new String(cls, in.position(), len, StandardCharsets.UTF_8); // modified UTF-8: fine for names
            in.position(in.position() + len);
            break;
          }
          case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.position(in.position() + 4); break;
          case 5: case 6: in.position(in.position() + 8); i++; break;
          case 7: case 8: case 16: case 19: case 20: in.position(in.position() + 2); break;
          case 15: in.position(in.position() + 3); break;
          default: return null;
        }
      }
      cpEnd = in.position();
      // New constants, appended: Utf8 owner, Class, Utf8 name, Utf8 desc, NameAndType, Methodref.
      int ownerUtf = cpCount, ownerClass = cpCount + 1, nameUtf = cpCount + 2, descUtf = cpCount + 3, nat = cpCount + 4, ref = cpCount + 5;
      ByteArrayOutputStream extra = new ByteArrayOutputStream();
      DataOutputStream x = new DataOutputStream(extra);
      x.writeByte(1); x.writeUTF(owner);
      x.writeByte(7); x.writeShort(ownerUtf);
      x.writeByte(1); x.writeUTF(callee);
      x.writeByte(1); x.writeUTF(calleeDesc);
      x.writeByte(12); x.writeShort(nameUtf); x.writeShort(descUtf);
      x.writeByte(10); x.writeShort(ownerClass); x.writeShort(nat);

      in.position(cpEnd + 6); // access, this, super
      int interfaces = u2();
      in.position(in.position() + 2 * interfaces);
      int fields = u2();
      for (int i = 0; i < fields; i++) { in.position(in.position() + 6); skipAttributes(); }
      int methods = u2();
      for (int i = 0; i < methods; i++) {
        int start = in.position();
        in.position(start + 2);
        String name = utf8[u2()];
        String desc = utf8[u2()];
        if (!method.equals(name) || !descriptor.equals(desc)) { skipAttributes(); continue; }
        int attributes = u2();
        for (int a = 0; a < attributes; a++) {
          int attrStart = in.position();
          String attrName = utf8[u2()];
          int len = in.getInt();
          if ("Code".equals(attrName)) {
            byte[] code = editCode(attrStart, len, load, slot, ref);
            if (code == null) return null;
            ByteArrayOutputStream out = new ByteArrayOutputStream(cls.length + 64);
            out.write(cls, 0, 8);
            out.write((cpCount + 6) >> 8); out.write((cpCount + 6) & 0xff);
            out.write(cls, 10, cpEnd - 10);
            out.write(extra.toByteArray());
            out.write(cls, cpEnd, attrStart - cpEnd);
            out.write(code);
            int after = attrStart + 6 + len;
            out.write(cls, after, cls.length - after);
            return out.toByteArray();
          }
          in.position(in.position() + len);
        }
        return null; // abstract or native
      }
      return null;
    }

    /** The Code attribute (name, length and all) with the prologue in, or null. */
    private byte[] editCode(int attrStart, int len, int load, int slot, int ref) throws IOException {
      ByteBuffer c = ByteBuffer.wrap(cls, attrStart + 6, len).slice();
      int maxStack = c.getShort(0) & 0xffff;
      int maxLocals = c.getShort(2) & 0xffff;
      int codeLength = c.getInt(4);
      if (slot > 3 || slot >= maxLocals) return null;
      ByteArrayOutputStream body = new ByteArrayOutputStream(len + DELTA);
      DataOutputStream o = new DataOutputStream(body);
      o.writeShort(Math.max(maxStack, 1));
      o.writeShort(maxLocals);
      o.writeInt(codeLength + DELTA);
      // iload_<n> is 0x1a + n, aload_<n> is 0x2a + n.
      o.writeByte((load == 0x15 ? 0x1a : 0x2a) + slot);
      o.writeByte(0xb8); // invokestatic
      o.writeShort(ref);
      o.write(cls, attrStart + 6 + 8, codeLength);
      int p = 8 + codeLength;
      int exceptions = c.getShort(p) & 0xffff;
      o.writeShort(exceptions);
      p += 2;
      for (int i = 0; i < exceptions; i++, p += 8) {
        o.writeShort((c.getShort(p) & 0xffff) + DELTA);
        o.writeShort((c.getShort(p + 2) & 0xffff) + DELTA);
        o.writeShort((c.getShort(p + 4) & 0xffff) + DELTA);
        o.writeShort(c.getShort(p + 6) & 0xffff);
      }
      int attributes = c.getShort(p) & 0xffff;
      o.writeShort(attributes);
      p += 2;
      for (int a = 0; a < attributes; a++) {
        int nameIndex = c.getShort(p) & 0xffff;
        int alen = c.getInt(p + 2);
        String name = utf8[nameIndex];
        int data = p + 6;
        if ("LineNumberTable".equals(name)) {
          o.writeShort(nameIndex); o.writeInt(alen);
          int n = c.getShort(data) & 0xffff;
          o.writeShort(n);
          for (int i = 0; i < n; i++) {
            o.writeShort((c.getShort(data + 2 + 4 * i) & 0xffff) + DELTA);
            o.writeShort(c.getShort(data + 4 + 4 * i) & 0xffff);
          }
        } else if ("LocalVariableTable".equals(name) || "LocalVariableTypeTable".equals(name)) {
          o.writeShort(nameIndex); o.writeInt(alen);
          int n = c.getShort(data) & 0xffff;
          o.writeShort(n);
          for (int i = 0; i < n; i++) {
            int e = data + 2 + 10 * i;
            o.writeShort((c.getShort(e) & 0xffff) + DELTA);
            for (int k = 2; k < 10; k += 2) o.writeShort(c.getShort(e + k) & 0xffff);
          }
        } else if ("StackMapTable".equals(name)) {
          byte[] frames = shiftFirstFrame(c, data, alen);
          o.writeShort(nameIndex); o.writeInt(frames.length);
          o.write(frames);
        } else {
          return null;
        }
        p = data + alen;
      }
      byte[] b = body.toByteArray();
      ByteArrayOutputStream attr = new ByteArrayOutputStream(b.length + 6);
      DataOutputStream w = new DataOutputStream(attr);
      w.writeShort(ByteBuffer.wrap(cls).getShort(attrStart) & 0xffff);
      w.writeInt(b.length);
      w.write(b);
      return attr.toByteArray();
    }

    /** The StackMapTable with its first frame DELTA bytes later (the rest are relative to it). */
    private static byte[] shiftFirstFrame(ByteBuffer c, int data, int alen) throws IOException {
      int n = c.getShort(data) & 0xffff;
      ByteArrayOutputStream out = new ByteArrayOutputStream(alen + 4);
      DataOutputStream o = new DataOutputStream(out);
      o.writeShort(n);
      int p = data + 2;
      if (n > 0) {
        int type = c.get(p) & 0xff;
        if (type < 64) {
          int offset = type + DELTA;
          if (offset < 64) o.writeByte(offset);
          else { o.writeByte(251); o.writeShort(offset); }
          p += 1;
        } else if (type < 128) {
          int offset = type - 64 + DELTA;
          if (offset < 64) o.writeByte(64 + offset);
          else { o.writeByte(247); o.writeShort(offset); }
          p += 1; // the stack item follows, copied below
        } else if (type >= 247) {
          o.writeByte(type);
          o.writeShort((c.getShort(p + 1) & 0xffff) + DELTA);
          p += 3;
        } else {
          throw new IllegalStateException("reserved frame type " + type);
        }
      }
      for (int i = p; i < data + alen; i++) o.writeByte(c.get(i));
      return out.toByteArray();
    }

    private int u1() { return in.get() & 0xff; }
    private int u2() { return in.getShort() & 0xffff; }
    private void skipAttributes() {
      int n = u2();
      for (int i = 0; i < n; i++) { in.position(in.position() + 2); int len = in.getInt(); in.position(in.position() + len); }
    }
  }
}
