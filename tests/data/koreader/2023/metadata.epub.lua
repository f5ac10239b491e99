-- /mnt/us/documents/pride-and-prejudice.sdr/metadata.epub.lua
return {
    ["bookmarks"] = {
        [1] = {
            ["chapter"] = "Chapter 44",
            ["datetime"] = "2023-03-04 07:31:40",
            ["highlighted"] = true,
            ["notes"] = "Miss Darcy, though with a diffidence which marked",
            ["page"] = "/body/DocFragment[10]/body/div/p[70]/text().10",
            ["pos0"] = "/body/DocFragment[10]/body/div/p[70]/text().10",
            ["pos1"] = "/body/DocFragment[10]/body/div/p[70]/text().59",
            ["text"] = "Page 318 Miss Darcy, though with a diffidence which marked @ 2023-03-04 07:31:40",
        },
        [2] = {
            ["chapter"] = "Chapter 27",
            ["datetime"] = "2023-03-02 21:15:03",
            ["highlighted"] = true,
            ["notes"] = "Mr. Collins returned into Hertfordshire soon after it had been quitted by the Gardiners",
            ["page"] = "/body/DocFragment[6]/body/div/p[48]/text().0",
            ["pos0"] = "/body/DocFragment[6]/body/div/p[48]/text().0",
            ["pos1"] = "/body/DocFragment[6]/body/div/p[48]/text().87",
            ["text"] = "He comes back for Charlotte.",
        },
        [3] = {
            ["chapter"] = "Chapter 1",
            ["datetime"] = "2023-03-01 12:00:00",
            ["highlighted"] = true,
            ["notes"] = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
            ["page"] = "/body/DocFragment[1]/body/div[3]/p[1]/text().0",
            ["pos0"] = "/body/DocFragment[1]/body/div[3]/p[1]/text().0",
            ["pos1"] = "/body/DocFragment[1]/body/div[3]/p[1]/text().117",
            ["text"] = "Page 5 It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. @ 2023-03-01 12:00:00",
        },
        [4] = {
            ["datetime"] = "2023-03-05 09:00:00",
            ["page"] = "/body/DocFragment[12]/body/div/p[1]/text().0",
            ["text"] = "Page 350  @ 2023-03-05 09:00:00",
        },
    },
    ["doc_props"] = {
        ["authors"] = "Jane Austen",
        ["title"] = "Pride and Prejudice",
    },
    ["highlight"] = {
        [5] = {
            [1] = {
                ["chapter"] = "Chapter 1",
                ["datetime"] = "2023-03-01 12:00:00",
                ["drawer"] = "lighten",
                ["pos0"] = "/body/DocFragment[1]/body/div[3]/p[1]/text().0",
                ["pos1"] = "/body/DocFragment[1]/body/div[3]/p[1]/text().117",
                ["text"] = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
            },
        },
        [203] = {
            [1] = {
                ["chapter"] = "Chapter 27",
                ["datetime"] = "2023-03-02 21:15:03",
                ["drawer"] = "underscore",
                ["pos0"] = "/body/DocFragment[6]/body/div/p[48]/text().0",
                ["pos1"] = "/body/DocFragment[6]/body/div/p[48]/text().87",
                ["text"] = "Mr. Collins returned into Hertfordshire soon after it had been quitted by the Gardiners",
            },
        },
        [318] = {
            [1] = {
                ["chapter"] = "Chapter 44",
                ["datetime"] = "2023-03-04 07:31:40",
                ["drawer"] = "lighten",
                ["pos0"] = "/body/DocFragment[10]/body/div/p[70]/text().10",
                ["pos1"] = "/body/DocFragment[10]/body/div/p[70]/text().59",
                ["text"] = "Miss Darcy, though with a diffidence which marked",
            },
        },
    },
    ["partial_md5_checksum"] = "9dbd4ae445f761b0eaea8aa0ed637501",
}
