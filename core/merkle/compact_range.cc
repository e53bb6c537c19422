#include "core/merkle/compact_range.h"

#include <bit>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace origo::merkle {

absl::StatusOr<CompactRange> CompactRange::FromFrontier(uint64_t size, std::vector<Hash> frontier) {
  const size_t want = static_cast<size_t>(std::popcount(size));
  if (frontier.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("compact range: a tree of size ", size, " has ",
                                                   want, " frontier hashes, got ",
                                                   frontier.size()));
  }
  CompactRange range;
  range.size_ = size;
  range.frontier_ = std::move(frontier);
  return range;
}

absl::StatusOr<CompactRange> CompactRange::FromReader(uint64_t size, NodeReader reader) {
  std::vector<Hash> frontier;
  const std::vector<NodeId> ids = FrontierIds(size);
  frontier.reserve(ids.size());
  for (const NodeId& id : ids) {
    ORIGO_ASSIGN_OR_RETURN(Hash hash, reader(id.level, id.index));
    frontier.push_back(hash);
  }
  return FromFrontier(size, std::move(frontier));
}

std::vector<Node> CompactRange::Append(const Hash& leaf_hash) {
  std::vector<Node> completed;
  completed.reserve(1 + static_cast<size_t>(std::countr_one(size_)));
  Node node{NodeId{0, size_}, leaf_hash};
  completed.push_back(node);
  // Bit `level` of size_ is set exactly when the frontier ends with a perfect subtree of that
  // level, the left sibling of `node`; merge until the first clear bit.
  while (((size_ >> node.id.level) & 1) == 1) {
    node.hash = NodeHash(frontier_.back(), node.hash);
    frontier_.pop_back();
    node.id = NodeId{node.id.level + 1, node.id.index >> 1};
    completed.push_back(node);
  }
  frontier_.push_back(node.hash);
  ++size_;
  return completed;
}

Hash CompactRange::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  Hash root = frontier_.back();
  for (size_t i = frontier_.size() - 1; i-- > 0;) root = NodeHash(frontier_[i], root);
  return root;
}

}  // namespace origo::merkle
