package dev.vitra.watchdog.contract;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.FileAttribute;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The only "files" a contract can reach: the virtual modules {@code contract}, {@code assert} and {@code util}.
 * Every other specifier is refused with a message naming it; nothing touches the host file system. (Public for
 * {@code bench contract}, whose bare runs give a contract other modules under the same names.)
 */
public final class VirtualModuleFileSystem implements FileSystem {
    static final String ROOT = "/vitra/";

    private final Map<String, byte[]> modules;

    public VirtualModuleFileSystem(Map<String, String> sourcesByName) {
        this.modules = Map.copyOf(sourcesByName.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> ROOT + e.getKey() + ".mjs",
                        e -> e.getValue().getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public Path parsePath(URI uri) {
        throw new IllegalArgumentException("contracts may import only 'contract', 'assert' and 'util', not " + uri);
    }

    @Override
    public Path parsePath(String path) {
        if (modules.containsKey(ROOT + path + ".mjs")) {
            return Path.of(ROOT + path + ".mjs");
        }
        if (modules.containsKey(path)) {
            return Path.of(path);
        }
        throw new IllegalArgumentException("contracts may import only 'contract', 'assert' and 'util', not '" + path + "'");
    }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        if (!modules.containsKey(path.toString()) || modes.contains(AccessMode.WRITE) || modes.contains(AccessMode.EXECUTE)) {
            throw new NoSuchFileException(path.toString());
        }
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) {
        throw new ReadOnlyFileSystemException();
    }

    @Override
    public void delete(Path path) {
        throw new ReadOnlyFileSystemException();
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        byte[] data = modules.get(path.toString());
        if (data == null) {
            throw new NoSuchFileException(path.toString());
        }
        return new ReadOnlyChannel(data);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        throw new NoSuchFileException(dir.toString());
    }

    @Override
    public Path toAbsolutePath(Path path) {
        return path.isAbsolute() ? path : Path.of("/").resolve(path);
    }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) {
        return toAbsolutePath(path);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        throw new NoSuchFileException(path.toString());
    }

    private static final class ReadOnlyChannel implements SeekableByteChannel {
        private final byte[] data;
        private int position;
        private boolean open = true;

        ReadOnlyChannel(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= data.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), data.length - position);
            dst.put(data, position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = (int) Math.min(newPosition, data.length);
            return this;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
