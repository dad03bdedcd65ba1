package dev.vitra.watchdog.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one YAML document into {@link ConfigNode}s with their lines. Strict where YAML is lax: a duplicate key is
 * an error (YAML forbids it; many parsers keep the last), and so are documents that are too large or too deep.
 */
final class YamlReader {
    static final int MAX_BYTES = 1 << 20;
    private static final int MAX_DEPTH = 32;

    private YamlReader() {
    }

    /**
     * Duplicate keys are added to {@code problems} (the first value is kept, so validation goes on); anything that
     * stops the parse is thrown.
     *
     * @throws ConfigException naming {@code fileName} and the line of the problem that stopped the parse
     */
    static ConfigNode read(String fileName, String text, List<String> problems) throws ConfigException {
        if (text.length() > MAX_BYTES) {
            throw new ConfigException(List.of(fileName + ": the file is larger than " + MAX_BYTES + " characters"));
        }
        YAMLFactory factory = YAMLFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
        try (YAMLParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new ConfigNode.Mapping(Map.of(), 1);
            }
            ConfigNode root = node(fileName, parser, "", 0, problems);
            if (parser.nextToken() != null) {
                problems.add(fileName + ":" + line(parser) + ": only one YAML document is allowed");
            }
            return root;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() != null ? e.getLocation().getLineNr()
                    : e.getProcessor() instanceof JsonParser p ? p.currentLocation().getLineNr() : 0;
            throw stopped(problems, fileName + ":" + line + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw stopped(problems, fileName + ": cannot be read: " + e.getMessage());
        }
    }

    /** The problems found before the parse had to stop, and the one that stopped it. */
    private static ConfigException stopped(List<String> before, String problem) {
        List<String> all = new ArrayList<>(before);
        all.add(problem);
        return new ConfigException(all);
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    private static ConfigNode node(String fileName, YAMLParser parser, String path, int depth, List<String> problems)
            throws IOException, ConfigException {
        int line = line(parser);
        JsonToken token = parser.currentToken();
        if (parser.getObjectId() != null || parser.isCurrentAlias()) {
            // Anchors and aliases make one value appear in several places; a config is clearer without them.
            problems.add(fileName + ":" + line + ": " + field(path) + ": YAML anchors and aliases are not supported");
            if (parser.isCurrentAlias()) {
                return new ConfigNode.Scalar(null, line);
            }
        }
        switch (token) {
            case START_OBJECT -> {
                Map<String, ConfigNode.Member> members = new LinkedHashMap<>();
                while (parser.nextToken() != JsonToken.END_OBJECT) {
                    String key = parser.currentName();
                    int keyLine = line(parser);
                    parser.nextToken();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    ConfigNode value = node(fileName, parser, childPath, depth + 1, problems);
                    if (members.putIfAbsent(key, new ConfigNode.Member(keyLine, value)) != null) {
                        problems.add(fileName + ":" + keyLine + ": " + field(childPath) + ": appears twice in one mapping");
                    }
                }
                return new ConfigNode.Mapping(members, line);
            }
            case START_ARRAY -> {
                List<ConfigNode> items = new ArrayList<>();
                int i = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(node(fileName, parser, path + "[" + i++ + "]", depth + 1, problems));
                }
                return new ConfigNode.Sequence(items, line);
            }
            case VALUE_NULL -> {
                return new ConfigNode.Scalar(null, line);
            }
            default -> {
                if (!token.isScalarValue()) {
                    throw new ConfigException(List.of(fileName + ":" + line + ": " + field(path) + ": unexpected YAML token " + token));
                }
                return new ConfigNode.Scalar(parser.getText(), line);
            }
        }
    }

    private static String field(String path) {
        return path.isEmpty() ? "(top level)" : path;
    }
}
