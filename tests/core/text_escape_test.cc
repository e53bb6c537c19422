// The shared escapers of hand-built JSON and HTML (core/base).

#include <gtest/gtest.h>

#include "core/base/html_escape.h"
#include "core/base/json_quote.h"

namespace origo {
namespace {

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("line\nnext\ttab\x01"), "\"line\\nnext\\u0009tab\\u0001\"");
  // UTF-8 passes through untouched.
  EXPECT_EQ(JsonQuote("贺兰山"), "\"贺兰山\"");
}

TEST(JsonQuoteTest, ScriptSafeFormCannotCloseAScriptElement) {
  EXPECT_EQ(JsonQuote("</script>&"), "\"</script>&\"");
  EXPECT_EQ(JsonQuote("</script>&", /*script_safe=*/true), "\"\\u003c/script\\u003e\\u0026\"");
}

TEST(HtmlEscapeTest, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

}  // namespace
}  // namespace origo
