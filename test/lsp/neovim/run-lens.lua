-- Drives Neovim's own LSP client (no plugins) the way a user does: open a spec, let the server
-- attach, refresh the code lenses, put the cursor on a scenario's lens and run it with
-- vim.lsp.codelens.run(). Writes what it saw as JSON to $PROVSPEC_RESULT, then quits.
-- Every wait is for a condition (vim.wait), bounded only so a broken server cannot hang the test.
local result = { messages = {}, notices = {} }
local function finish()
  local file = io.open(vim.env.PROVSPEC_RESULT, 'w')
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd('qa!')
end

-- What vim.notify says (a lens the server cannot run is reported this way).
vim.notify = function(message, level) table.insert(result.notices, { message = message, level = level }) end

local init_options = vim.fn.json_decode(vim.env.PROVSPEC_INIT_OPTIONS)
local client_id = vim.lsp.start_client({
  name = 'provspec',
  cmd = { vim.env.PROVSPEC_NODE, vim.env.PROVSPEC_SERVER, '--stdio' },
  root_dir = vim.env.PROVSPEC_ROOT,
  init_options = init_options,
  handlers = {
    ['window/showMessage'] = function(_, message) table.insert(result.messages, message) end,
  },
})
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.PROVSPEC_SPEC))
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, client_id)
local client = vim.lsp.get_client_by_id(client_id)
if not vim.wait(20000, function() return client.initialized end, 20) then
  result.error = 'the server did not initialize'
  return finish()
end

vim.lsp.codelens.refresh()
if not vim.wait(20000, function() return #vim.lsp.codelens.get(bufnr) > 0 end, 20) then
  result.error = 'no code lenses'
  return finish()
end
result.lenses = vim.lsp.codelens.get(bufnr)
-- The cursor on the scenario's line (1-based), as a user clicking into it.
for _, lens in ipairs(result.lenses) do
  if lens.command and lens.command.arguments and lens.command.arguments[2] == vim.env.PROVSPEC_SCENARIO then
    vim.api.nvim_win_set_cursor(0, { lens.range.start.line + 1, 0 })
    result.ran = lens.command
  end
end
vim.lsp.codelens.run()
if not vim.wait(120000, function() return #result.messages > 0 or #result.notices > 0 end, 20) then
  result.error = 'the run said nothing'
  return finish()
end
-- The run's diagnostics arrive just before its message; the diagnostics Neovim holds for the buffer.
vim.wait(5000, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'provspec run' then return true end
  end
  return result.messages[1] and result.messages[1].type ~= 1
end, 20)
result.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(result.diagnostics, { lnum = d.lnum, source = d.source, message = d.message })
end
finish()
